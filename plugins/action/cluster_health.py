# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run cluster_health in the task's own process on the controller when the module would run there anyway.

cluster_health only reads AWS, from the control node: the inventories reach their hosts over the ``local``
connection with the controller's own Python (``ansible_python_interpreter: "{{ ansible_playbook_python }}"``).
Run as a module, each report first pays for packaging (Ansible parses every module_utils file the module
imports to build its zip) and for a second interpreter that imports Ansible's module code again from that zip,
compiling it from source: about 0.6 s of CPU before the first AWS call, more than all the reads together.

When the module would run on this machine, as this user, with exactly this interpreter (``local`` connection, no
become, no async, ``ansible_python_interpreter`` the same file as the controller's Python), this plugin runs the
module's own ``main()`` here instead, with the same arguments (check mode, no_log and the task's
``environment:`` included): the same argument checks, the same reads, the same result. In every other case
(another interpreter or host, become, async, an ansible-core without module serialization profiles) the module
runs as usual.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys

from ansible.module_utils import basic
from ansible.plugins.action import ActionBase
from ansible.plugins.action.normal import ActionModule as NormalAction
from ansible.utils.vars import merge_hash
from ansible.vars.clean import remove_internal_keys

try:  # ansible-core 2.19 and later: module arguments and results are encoded per serialization profile
    from ansible.module_utils.common.json import Direction
    from ansible.module_utils.common.json import get_module_encoder
except ImportError:
    get_module_encoder = None

# Modules that declare no metadata (cluster_health declares none) use this serialization profile.
PROFILE = "legacy"
LOCAL_CONNECTIONS = ("local", "ansible.builtin.local", "ansible.legacy.local")


class ActionModule(NormalAction):
    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        if not self._runs_here(task_vars):
            return super().run(tmp, task_vars)
        result = ActionBase.run(self, tmp, task_vars)
        return merge_hash(result, self._run_here(task_vars))

    def _runs_here(self, task_vars: dict) -> bool:
        """True when the module would run on this machine, as this user, with this very interpreter."""
        if get_module_encoder is None or self._task.async_val or self._play_context.become:
            return False
        if self._connection.transport not in LOCAL_CONNECTIONS:
            return False
        interpreter = task_vars.get("ansible_python_interpreter")
        if not interpreter:
            return False  # left to interpreter discovery, which may pick another Python
        try:
            return os.path.samefile(str(self._templar.template(interpreter)), sys.executable)
        except (OSError, ValueError):
            return False

    def _run_here(self, task_vars: dict) -> dict:
        from ansible_collections.bbws.ecs_cluster.plugins.modules import cluster_health

        module_args = dict(self._task.args)
        self._update_module_args(
            self._task.resolved_action or "bbws.ecs_cluster.cluster_health", module_args, task_vars
        )
        encoder = get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE)
        payload = json.dumps({"ANSIBLE_MODULE_ARGS": module_args}, cls=encoder).encode()
        environment: dict = {}
        self._compute_environment_string(environment)  # the task's `environment:`, which the module's process gets
        saved_args, saved_environ = (basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE), dict(os.environ)
        out = io.StringIO()
        # AnsibleModule reads its arguments from these two, as it does when the module runs on its own.
        basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE = payload, PROFILE
        os.environ.update({str(key): str(value) for key, value in environment.items()})
        try:
            with contextlib.redirect_stdout(out):
                try:
                    cluster_health.main()
                except SystemExit:  # exit_json and fail_json end the module's process
                    pass
        finally:
            basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE = saved_args
            os.environ.clear()
            os.environ.update(saved_environ)
        data = self._parse_returned_data({"stdout": out.getvalue(), "stderr": "", "rc": 0}, PROFILE)
        remove_internal_keys(data)
        return data
