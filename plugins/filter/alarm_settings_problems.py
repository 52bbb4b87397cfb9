# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The problems of an environment's alarm settings, for the plan phase's preflight."""

from __future__ import annotations

DOCUMENTATION = r"""
name: alarm_settings_problems
version_added: 1.1.0
short_description: What is wrong with an environment's alarm thresholds, e-mail endpoints and OK notification flag
description:
  - Checks C(bbws_alarm_thresholds) (exactly the known keys, each a number within its range - percentages above 0 and
    at most 100, bytes above 0, counts 0 or more, the response time above 0 and at most 60 seconds),
    C(bbws_alarm_email_endpoints) (a list of e-mail addresses) and C(bbws_alarm_notify_ok) (a boolean), with the
    same rules as the Terraform stack's variables.
options:
  _input:
    description: The alarm thresholds (C(bbws_alarm_thresholds)).
    type: raw
    required: true
  email_endpoints:
    description: The e-mail endpoints (C(bbws_alarm_email_endpoints)).
    type: raw
    required: true
  notify_ok:
    description: Whether OK transitions notify too (C(bbws_alarm_notify_ok)).
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Refuse bad alarm settings
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join('; ') }}"
  vars:
    problems: "{{ bbws_alarm_thresholds
      | bbws.ecs_cluster.alarm_settings_problems(bbws_alarm_email_endpoints, bbws_alarm_notify_ok) }}"
"""

RETURN = r"""
_value:
  description: One sentence per problem; empty when the settings are valid.
  type: list
  elements: str
"""

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.alarm_settings import alarm_settings_problems as problems


def _plain(value):
    """Ansible's tagged containers as plain dicts and lists (the checks compare types)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def alarm_settings_problems(thresholds, email_endpoints, notify_ok):
    return problems(_plain(thresholds), _plain(email_endpoints), notify_ok)


class FilterModule:
    def filters(self):
        return {"alarm_settings_problems": alarm_settings_problems}
