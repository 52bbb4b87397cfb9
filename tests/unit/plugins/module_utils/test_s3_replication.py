"""s3_replication module_utils: the wanted rule, and the canonical form a bucket's answer is compared in."""

from __future__ import annotations

import pytest

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.s3_replication import ReplicationError
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.s3_replication import bucket_arn
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.s3_replication import bucket_name
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.s3_replication import canonical
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.s3_replication import wanted_configuration

ROLE = "arn:aws:iam::093646564004:role/bbws-state-replication-af-south-1"
REPLICA = "bbws-terraform-state-093646564004-eu-west-1"


def test_the_wanted_rule_replicates_every_object_and_deletions():
    wanted = wanted_configuration(ROLE, REPLICA)
    assert wanted == {
        "Role": ROLE,
        "Rules": [
            {
                "ID": "replicate-all-objects",
                "Priority": 1,
                "Filter": {"Prefix": ""},
                "Status": "Enabled",
                "DeleteMarkerReplication": {"Status": "Enabled"},
                "Destination": {"Bucket": f"arn:aws:s3:::{REPLICA}"},
            }
        ],
    }
    assert canonical(wanted) == wanted


def test_names_and_arns_of_buckets():
    assert bucket_arn(REPLICA) == f"arn:aws:s3:::{REPLICA}"
    assert bucket_arn(f"arn:aws:s3:::{REPLICA}") == f"arn:aws:s3:::{REPLICA}"
    assert bucket_name(f"arn:aws:s3:::{REPLICA}") == REPLICA == bucket_name(REPLICA)


@pytest.mark.parametrize(
    "answered_filter",
    [{"Filter": {"Prefix": ""}}, {"Filter": {}}, {}, {"Prefix": ""}],
)
def test_every_way_s3_says_all_objects_is_the_same_rule(answered_filter):
    rule = {
        "ID": "replicate-all-objects",
        "Priority": 1,
        "Status": "Enabled",
        "DeleteMarkerReplication": {"Status": "Enabled"},
        "Destination": {"Bucket": f"arn:aws:s3:::{REPLICA}", "StorageClass": "STANDARD"},
        **answered_filter,
    }
    assert canonical({"Role": ROLE, "Rules": [rule]}) == wanted_configuration(ROLE, REPLICA)


def test_a_rule_without_delete_marker_replication_differs():
    rule = dict(wanted_configuration(ROLE, REPLICA)["Rules"][0])
    del rule["DeleteMarkerReplication"]
    assert canonical({"Role": ROLE, "Rules": [rule]}) != wanted_configuration(ROLE, REPLICA)
    assert canonical({"Role": ROLE, "Rules": [rule]}) == wanted_configuration(
        ROLE, REPLICA, delete_marker_replication=False
    )


def test_no_configuration_is_none():
    assert canonical(None) is None and canonical({}) is None


@pytest.mark.parametrize(
    ("role", "destination", "message"),
    [("bbws-state-replication", REPLICA, "role_arn must be an IAM role ARN"), (ROLE, "", "destination_bucket must")],
)
def test_bad_values_are_refused(role, destination, message):
    with pytest.raises(ReplicationError, match=message):
        wanted_configuration(role, destination)
