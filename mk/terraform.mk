# Terraform stack (terraform/): real `terraform fmt`, the offline schema check against the hashicorp/aws
# schema, checkov with zero failed checks, and the contract tests between the inventories, the
# terraform_stack role and the stack. tests/terraform/test_offline_plan.py runs real `terraform validate`,
# planted mistakes, the six inventory plans, `terraform test` and checkov on the plan JSON over the
# offline hashicorp/aws provider (tools/offline_provider.py; schema generated into .build/offline-provider).
TEST_TARGETS += test-terraform

CHECKOV_VENV := $(CURDIR)/.venv-checkov

# checkov gets its own venv: it pins old boto3 and its bc-python-hcl2 replaces python-hcl2's hcl2 package.
$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements-checkov.txt
	touch $@

.PHONY: test-terraform
test-terraform: venv $(CHECKOV_VENV)/.installed
	$(BIN)/terraform fmt -check -recursive terraform/
	$(BIN)/python tests/terraform/schema_check.py terraform --cache-dir $(BUILD)/terraform
	$(BIN)/python tests/terraform/checkov_gate.py $(CHECKOV_VENV)/bin/checkov terraform
	$(BIN)/python -m pytest -q tests/terraform
