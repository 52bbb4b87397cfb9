"""The report people look at: the intended default certificate, no ``None`` anywhere, history and the index,
and the page itself in headless Chromium (first screen, diagram, links)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlparse

import boto3
import pytest

import faults
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import calls_by_service
from ansible_collections.bbws.ecs_cluster.plugins.modules import cluster_health

pytestmark = pytest.mark.emulator
needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian chromium not installed (make apt-deps)"
)


def to_default_certificate(cluster: faults.Cluster, profile: str) -> None:
    """What the stack looks like with enable_custom_domain=false: no aliases, CloudFront's default certificate
    (terraform/cloudfront.tf sets TLSv1 for it) and no CloudFront certificate in us-east-1."""
    session = boto3.Session(profile_name=profile)
    cloudfront = session.client("cloudfront")
    answer = cloudfront.get_distribution_config(Id=cluster.distribution_id)
    config = answer["DistributionConfig"]
    config["Aliases"] = {"Quantity": 0, "Items": []}
    config["ViewerCertificate"] = {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1"}
    cloudfront.update_distribution(Id=cluster.distribution_id, IfMatch=answer["ETag"], DistributionConfig=config)
    acm = session.client("acm", region_name="us-east-1")
    for summary in acm.list_certificates()["CertificateSummaryList"]:
        acm.delete_certificate(CertificateArn=summary["CertificateArn"])


def profile_of(environment: str) -> str:
    return faults.load_inventory(environment)["bbws_aws_profile"]


@pytest.mark.parametrize(
    "options,cause",
    [
        (
            {"custom_domain": "auto"},
            "the custom domain is auto and not switched on yet: the delegation of wpdev.kimmyai.io",
        ),
        ({"custom_domain": "off"}, "the custom domain is off for dev in the inventory"),
        (
            {
                "custom_domain": "on",
                "certificate_fallback": "certificate for *.wpdev.kimmyai.io not ISSUED within 900 s",
            },
            "the edge phase fell back to it: certificate for *.wpdev.kimmyai.io not ISSUED within 900 s",
        ),
    ],
)
def test_default_certificate_by_design_is_healthy_with_a_notice(
    dev_cluster, module_runner, health_args, options, cause
):
    to_default_certificate(dev_cluster, profile_of("dev"))
    result = module_runner(cluster_health, health_args("dev", **options))
    assert result["status"] == "healthy", result["findings"]
    assert result["findings"] == []
    [notice] = [n for n in result["notices"] if n["area"] == "cloudfront"]
    assert notice["cause"].startswith(cause)
    assert (
        "default *.cloudfront.net certificate" in notice["summary"]
        and dev_cluster.distribution_domain in notice["summary"]
    )
    assert notice["next_step"]
    assert f"Cause: {notice['cause']}" in result["summary"]
    assert "No ACM certificate" not in json.dumps(result)


def test_default_certificate_when_the_domain_is_on_is_a_finding(dev_cluster, module_runner, health_args):
    """The intended state decides: with the custom domain on and no recorded fallback, no certificate is a finding."""
    to_default_certificate(dev_cluster, profile_of("dev"))
    result = module_runner(cluster_health, health_args("dev", custom_domain="on"))
    assert result["status"] == "unhealthy"
    assert any(f["summary"] == "No ACM certificate for *.wpdev.kimmyai.io in us-east-1." for f in result["findings"])
    assert result["notices"] == []


def test_without_a_domain_nothing_says_none(aws, module_runner, health_args, tmp_path):
    # An environment without a domain has no custom domain: CloudFront's origin is the ALB's own name.
    faults.build_cluster("dev", custom_domain=False)
    history = tmp_path / "artifacts"
    args = health_args(
        "dev", domain=None, zone=None, report_dir=str(history / "run1-dev" / "health"), history_dir=str(history)
    )
    result = module_runner(cluster_health, args)
    assert not result.failed, result
    checks = {(c["area"], c["name"]): c for c in result["checks"]}
    for key in (("dns", "Route53 zone"), ("acm", "ACM certificate"), ("cloudfront", "CloudFront aliases")):
        assert checks[key]["status"] == "skip" and "no domain given" in checks[key]["detail"]
    assert any(
        n["summary"] == "Zone and certificate checks skipped: no domain is set for this environment."
        for n in result["notices"]
    )
    assert result["status"] == "healthy", result["findings"]
    files = [*result["report_files"].values(), result["history_index"]]
    texts = {"output": json.dumps(dict(result)), **{Path(p).name: Path(p).read_text(encoding="utf-8") for p in files}}
    assert {"dev-health.json", "dev-health.md", "dev-health.html", "index.html"} <= set(texts)
    for name, text in texts.items():
        assert not re.search(r"\bNone\b", text), (name, text[max(0, text.find("None") - 200) : text.find("None") + 100])
    assert (
        "Zone and certificate checks skipped" in texts["dev-health.md"]
        and "Zone and certificate checks skipped" in texts["dev-health.html"]
    )


def test_history_counts_new_and_resolved_and_the_index_lists_every_report(aws, module_runner, health_args, tmp_path):
    history = tmp_path / "artifacts"
    clusters = {env: faults.build_cluster(env) for env in ("dev", "sit")}

    def run(env: str, run_id: str) -> dict:
        return module_runner(
            cluster_health,
            health_args(env, report_dir=str(history / f"{run_id}-{env}" / "health"), history_dir=str(history)),
        )

    first = run("dev", "20260101T000000Z")
    assert first["since_last"]["first"] is True
    assert "Since the last report: none (the first report of this environment)." in first["summary"]
    faults.inject("dev", "rds_ingress_missing", cluster=clusters["dev"])
    broken = run("dev", "20260101T010000Z")
    assert (broken["since_last"]["new"], broken["since_last"]["resolved"]) == (1, 0)
    assert "1 new, 0 resolved findings" in broken["summary"]
    assert "1 new, 0 resolved findings" in Path(broken["report_files"]["markdown"]).read_text(encoding="utf-8")
    sit = run("sit", "20260101T020000Z")
    boto3.Session(profile_name=profile_of("dev")).client("ec2").authorize_security_group_ingress(
        GroupId=clusters["dev"].security_groups["rds"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 3306,
                "ToPort": 3306,
                "UserIdGroupPairs": [{"GroupId": clusters["dev"].security_groups["ecs"]}],
            }
        ],
    )
    fixed = run("dev", "20260101T030000Z")
    assert (fixed["since_last"]["new"], fixed["since_last"]["resolved"]) == (0, 1)
    assert sit["since_last"]["first"] is True

    index = Path(fixed["history_index"])
    assert index == history / "index.html"
    page = index.read_text(encoding="utf-8")
    rows = re.findall(r'<tr data-environment="(\w+)">.*?<time>([^<]+)</time>.*?<a href="([^"]+)"', page)
    assert [r[0] for r in rows] == ["dev", "sit", "dev", "dev"]  # newest first
    assert [r[1] for r in rows] == sorted((r[1] for r in rows), reverse=True)
    assert [r[2] for r in rows] == [
        str(Path(p["report_files"]["html"]).relative_to(history)) for p in (fixed, sit, broken, first)
    ]
    assert "unhealthy" in page and "+1 / -0" in page and "+0 / -1" in page


# -- in the browser ---------------------------------------------------------------------------------
PROBE = """<script>
(() => {
  const seen = el => { if (!el) return null; const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
  const edge = document.querySelector('[data-edge="ecs-rds"]');
  const line = edge && edge.querySelector('polyline');
  const out = {viewport: [window.innerWidth, window.innerHeight], scrollY: window.scrollY,
    verdict: seen(document.getElementById('verdict')), finding: seen(document.getElementById('finding-1')),
    edge: line ? {rect: seen(line), stroke: getComputedStyle(line).stroke, text: edge.querySelector('text').textContent,
                  status: edge.dataset.status} : null,
    cloudfront: Array.from(document.querySelectorAll('[data-node="cloudfront"] text')).map(t => t.textContent),
    folded: Array.from(document.querySelectorAll('details[data-area]'))
      .map(d => [d.dataset.area, d.dataset.state, d.open]),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href)};
  const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"""


def chromium_probe(page: Path, workdir: Path, width: int = 1280, height: int = 800) -> dict:
    """Open a copy of ``page`` with a measuring script in headless Chromium with a ``width`` x ``height`` viewport and
    return what it measured. The script is added to a copy for the test only; the report itself carries none.

    Chromium's --window-size is the window, not the viewport: the first load measures the difference and, when there is
    one, the page is measured again in a window that gives exactly the viewport asked for."""
    probe = page.with_name(f".probe-{page.name}")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    try:
        window = [width, height]
        for _attempt in range(2):
            run = subprocess.run(
                [
                    "chromium",
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--hide-scrollbars",
                    f"--window-size={window[0]},{window[1]}",
                    f"--user-data-dir={workdir / 'chromium-profile'}",
                    "--dump-dom",
                    probe.as_uri(),
                ],
                capture_output=True,
                text=True,
                timeout=90,
                stdin=subprocess.DEVNULL,
                check=False,
            )
            found = re.search(r'<pre id="probe">(.*?)</pre>', run.stdout, re.S)
            assert found, run.stdout[-2000:] + run.stderr[-2000:]
            measured = json.loads(html.unescape(found.group(1)))
            if measured["viewport"] == [width, height]:
                break
            window = [window[0] + width - measured["viewport"][0], window[1] + height - measured["viewport"][1]]
    finally:
        probe.unlink()
    return measured


@needs_chromium
def test_first_screen_shows_verdict_first_finding_and_the_red_rds_edge(
    dev_cluster, module_runner, health_args, tmp_path
):
    faults.inject("dev", "rds_ingress_missing", cluster=dev_cluster)
    result = module_runner(cluster_health, health_args("dev", report_dir=str(tmp_path / "report")))
    page = Path(result["report_files"]["html"])
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text and "src=" not in text and "@import" not in text  # self-contained, nothing fetched
    measured = chromium_probe(page, tmp_path)
    assert measured["viewport"] == [1280, 800] and measured["scrollY"] == 0
    for item in ("verdict", "finding"):
        box = measured[item]
        assert box and 0 <= box["top"] and box["bottom"] <= 800 and box["right"] <= 1280, (item, box)
    edge = measured["edge"]
    assert edge["status"] == "broken" and edge["stroke"] == "rgb(176, 42, 55)", edge  # red
    assert "tcp/3306" in edge["text"] and "missing ingress rule" in edge["text"], edge
    assert dev_cluster.security_groups["rds"] in edge["text"] and dev_cluster.security_groups["ecs"] in edge["text"]
    assert edge["rect"]["bottom"] <= 800, "the broken path is on the first screen"
    assert any(line == f"cert: ISSUED *.{dev_cluster.domain}" for line in measured["cloudfront"]), measured[
        "cloudfront"
    ]
    assert any(line.startswith(f"aliases: *.{dev_cluster.domain}") for line in measured["cloudfront"]), measured[
        "cloudfront"
    ]
    folded = {area: (state, is_open) for area, state, is_open in measured["folded"]}
    assert folded["connectivity"] == ("fail", True) and folded["ecs"] == ("pass", False)


@needs_chromium
def test_default_certificate_shows_in_the_cloudfront_box(dev_cluster, module_runner, health_args, tmp_path):
    to_default_certificate(dev_cluster, profile_of("dev"))
    result = module_runner(cluster_health, health_args("dev", custom_domain="off", report_dir=str(tmp_path / "report")))
    measured = chromium_probe(Path(result["report_files"]["html"]), tmp_path)
    assert measured["cloudfront"][1:] == ["cert: default *.cloudfront.net", "aliases: none"]
    assert measured["finding"] is None and measured["verdict"]["bottom"] <= 800


@needs_chromium
def test_every_index_link_resolves(aws, module_runner, health_args, tmp_path):
    history = tmp_path / "artifacts"
    for env in ("dev", "prod"):
        faults.build_cluster(env)
        for run_id in ("20260101T000000Z", "20260102T000000Z"):
            result = module_runner(
                cluster_health,
                health_args(env, report_dir=str(history / f"{run_id}-{env}" / "health"), history_dir=str(history)),
            )
    measured = chromium_probe(Path(result["history_index"]), tmp_path)
    links = measured["links"]
    assert len(links) == 4
    for link in links:
        target = Path(unquote(urlparse(link).path))
        assert urlparse(link).scheme == "file" and target.is_file() and target.name.endswith("-health.html"), link
        assert '<h1 id="verdict">' in target.read_text(encoding="utf-8")


def test_target_health_is_read_where_ecs_does_not_vouch_for_it(dev_cluster, module_runner, health_args):
    """Steady tenant services (all desired tasks running, deployment completed, no unhealthy event) vouch for their
    target groups; a service short of tasks gets its group read with DescribeTargetHealth."""
    faults.add_tenants("dev", 20, cluster=dev_cluster)
    steady = module_runner(cluster_health, health_args("dev"))
    checks = {c["name"]: c for c in steady["checks"]}
    groups = int(checks["Target health"]["detail"].split()[0])
    assert groups >= 20 and "; 20 of steady ECS services" in checks["Target health"]["detail"], checks["Target health"]
    session = boto3.Session(profile_name=profile_of("dev"))
    ecs, elbv2 = session.client("ecs"), session.client("elbv2")
    task = ecs.describe_services(cluster=dev_cluster.cluster_name, services=["t0007-wordpress"])["services"][0][
        "taskDefinition"
    ]
    group = elbv2.create_target_group(
        Name="bbws-dev-t9999", Protocol="HTTP", Port=80, VpcId=dev_cluster.vpc_id, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    # A new tenant whose two tasks never start (the emulator starts none): its deployment is in progress.
    ecs.create_service(
        cluster=dev_cluster.cluster_name,
        serviceName="t9999-wordpress",
        taskDefinition=task,
        desiredCount=2,
        launchType="FARGATE",
        loadBalancers=[{"targetGroupArn": group, "containerName": "wordpress", "containerPort": 80}],
    )
    short = module_runner(cluster_health, health_args("dev"))
    checks = {c["name"]: c for c in short["checks"]}
    assert checks["Target health"]["detail"].startswith(f"{groups + 1} target groups: 1 read"), checks["Target health"]
    assert "; 20 of steady ECS services" in checks["Target health"]["detail"], checks["Target health"]
    assert calls_by_service(short["api_calls"])["elbv2"] == calls_by_service(steady["api_calls"])["elbv2"] + 1
    assert any("run fewer tasks than desired" in f["summary"] for f in short["findings"])
