"""cluster_health's action plugin.

The report made in the task's process equals the report of the module run as a module.

Both runs are real ansible-playbook runs against the emulated dev cluster with one injected fault. The module
path is forced by naming another interpreter file (a wrapper that runs the same Python and leaves a mark), which
is what any host whose interpreter is not the controller's own gets.
"""

from __future__ import annotations

import json
import os
import stat
import sys

import pytest

import faults

pytestmark = pytest.mark.emulator

PLAY = """---
- name: Report the cluster's health twice
  hosts: bbws_clusters
  gather_facts: false
  tasks:
    - name: Report the cluster's health
      bbws.ecs_cluster.cluster_health:
        profile: "{{ bbws_aws_profile }}"
        region: "{{ bbws_region }}"
        environment: "{{ bbws_environment }}"
        domain: "{{ bbws_domain }}"
        wait_timeout: 0
    - name: Report it with the task's environment pointing at another AWS config file
      bbws.ecs_cluster.cluster_health:
        profile: "{{ bbws_aws_profile }}"
        region: "{{ bbws_region }}"
        environment: "{{ bbws_environment }}"
        wait_timeout: 0
      environment:
        AWS_CONFIG_FILE: "{{ playbook_dir }}/no-such-aws-config"
      ignore_errors: true
"""


def _results(run) -> list[dict]:
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    tasks = json.loads(run.stdout[run.stdout.index("{") :])["plays"][0]["tasks"]
    return [task["hosts"]["bbws-dev"] for task in tasks]


def test_report_in_the_task_process_equals_the_module_report(aws, playbook, tmp_path):
    cluster = faults.build_cluster("dev")
    faults.inject("dev", "rds_ingress_missing", cluster=cluster)
    play = tmp_path / "health.yml"
    play.write_text(PLAY)
    mark = tmp_path / "interpreter-used"
    wrapper = tmp_path / "python"
    wrapper.write_text(f'#!/bin/sh\necho used >> {mark}\nexec {sys.executable} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    env = {"ANSIBLE_STDOUT_CALLBACK": "json"}

    here = _results(playbook(str(play), "-i", "inventories/dev", env=env))
    assert not mark.exists()  # no module process: both reports were made in the task's process
    module = _results(
        playbook(str(play), "-i", "inventories/dev", "-e", f"ansible_python_interpreter={wrapper}", env=env)
    )
    assert mark.read_text().count("used") == 2  # one module process per task

    for result in (here[0], module[0]):
        assert result["status"] == "unhealthy" and result["account_id"] == cluster.account_id
        assert any("tcp/3306" in finding["summary"] for finding in result["findings"])
    volatile = ("generated_at", "duration_seconds")
    assert {k: v for k, v in here[0].items() if k not in volatile} == {
        k: v for k, v in module[0].items() if k not in volatile
    }

    # The task's `environment:` reaches the module in both cases (here: a profile looked up in a missing file).
    missing = os.path.join(str(tmp_path), "no-such-aws-config")
    for result in (here[1], module[1]):
        assert result["failed"] and missing in result["msg"], result
