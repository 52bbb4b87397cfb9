# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One verdict on a child zone's delegation, for the edge phase's read-only check and the dns phase's write alike."""

from __future__ import annotations

DOCUMENTATION = r"""
name: delegation_verdict
version_added: 1.1.0
short_description: The verdict on a child zone's delegation from a route53_delegation result entry
description:
  - Verified when the parent zone's NS records match the child zone's name servers (and, with O(verify_dns), real DNS
    answers so); otherwise not verified, with the cause. The custom-domain decision of each environment reads it.
options:
  _input:
    description: One entry of RV(bbws.ecs_cluster.route53_delegation#module:delegations).
    type: dict
    required: true
  verify_dns:
    description: Whether real DNS must answer with the delegation too.
    type: bool
    required: true
  parent_zone:
    description: The parent zone.
    type: str
    required: true
  written:
    description: The entry comes from a run that wrote the records (the dns phase), not from a read-only check.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Judge the delegations
  ansible.builtin.debug:
    msg: "{{ result.delegations | map('bbws.ecs_cluster.delegation_verdict', false, 'kimmyai.io') }}"
"""

RETURN = r"""
_value:
  description: C(state) (verified or not_verified), C(cause) and C(zone).
  type: dict
"""

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.custom_domain import delegation_verdict as verdict


def delegation_verdict(delegation, verify_dns, parent_zone, written=False):
    return verdict(dict(delegation), bool(verify_dns), str(parent_zone), bool(written))


class FilterModule:
    def filters(self):
        return {"delegation_verdict": delegation_verdict}
