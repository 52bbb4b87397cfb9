# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The check every role of the collection that touches AWS makes, in the ``when:`` of the block around its tasks."""

from __future__ import annotations

DOCUMENTATION = r"""
name: guard_holds
version_added: 1.1.0
short_description: True when the account guard verified this host, account and profiles in this run
description:
  - Verifies the proof C(bbws_guard_proof) that the C(bbws.ecs_cluster.account_assert) guard sets for a host
    after asserting its profiles. The proof is bound to the C(ansible-playbook) run, the host, the account and the
    profiles; a proof given as an extra var, or kept from another run, does not verify.
  - Fails, never returns false, when the guard did not run, verified another account, did not verify one of the
    profiles, or when O(destroy) is true for production (by environment name or by account ID).
  - Roles use it in the C(when) of the block that wraps all their tasks, so that no C(ansible-playbook) option
    (C(--start-at-task), C(--tags), C(--skip-tags), C(--limit), C(--step)) runs a task of theirs without it.
options:
  _input:
    description: The proof (C(bbws_guard_proof | default(none))).
    type: dict
    required: true
  host:
    description: The host (C(inventory_hostname)).
    type: str
    required: true
  account_id:
    description: The account the phase will touch.
    type: str
  profiles:
    description: The profiles the phase will use.
    type: list
    elements: str
  destroy:
    description: Whether the phase destroys the stack.
    type: bool
    default: false
  hostvars:
    description:
      - "The run's C(hostvars), with O(play_hosts). A profile of another environment of the run (a delegation
        child's) is verified when that environment's own host has a proof for it."
    type: dict
  play_hosts:
    description: The hosts of the play (C(ansible_play_hosts_all)) whose proofs count, with O(hostvars).
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Work in AWS only after the guard
  when: >-
    bbws_guard_proof | default(none)
    | bbws.ecs_cluster.guard_holds(inventory_hostname, bbws_account_id, [bbws_aws_profile])
  block:
    - name: Read something
      ansible.builtin.debug:
        msg: guarded
"""

RETURN = r"""
_value:
  description: Always true (a failed check raises an error that says why).
  type: bool
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.bbws.ecs_cluster.plugins.plugin_utils import guard


def guard_holds(proof, host, account_id=None, profiles=None, destroy=False, hostvars=None, play_hosts=None):
    peers = {h: hostvars[h].get("bbws_guard_proof") for h in play_hosts or [] if hostvars is not None and h in hostvars}
    try:
        return guard.holds(proof, host, account_id, list(profiles or []), bool(destroy), peers)
    except guard.GuardError as e:
        raise AnsibleFilterError(str(e)) from None


class FilterModule:
    def filters(self):
        return {"guard_holds": guard_holds}
