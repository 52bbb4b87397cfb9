#!/usr/bin/env bash
# Install Terraform ${TERRAFORM_VERSION} from releases.hashicorp.com into /usr/local/bin, refusing any
# archive whose SHA-256 is not the one in HashiCorp's SHA256SUMS, and any SHA256SUMS whose signature
# was not made by HashiCorp's release key.
set -euo pipefail
: "${TERRAFORM_VERSION:?set TERRAFORM_VERSION}"
HASHICORP_KEY_FINGERPRINT="C874011F0AB405110D02105534365D9472D7468F"
arch=$(uname -m); case "$arch" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac
base="https://releases.hashicorp.com/terraform/${TERRAFORM_VERSION}"
zip="terraform_${TERRAFORM_VERSION}_linux_${arch}.zip"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
curl -fsSLO "$base/$zip"
curl -fsSLO "$base/terraform_${TERRAFORM_VERSION}_SHA256SUMS"
curl -fsSLO "$base/terraform_${TERRAFORM_VERSION}_SHA256SUMS.sig"
export GNUPGHOME="$work/gnupg"; mkdir -m 700 "$GNUPGHOME"
curl -fsSL https://www.hashicorp.com/.well-known/pgp-key.txt -o hashicorp.asc
gpg --batch --quiet --import hashicorp.asc
gpg --batch --with-colons --fingerprint | grep -q "fpr:::::::::${HASHICORP_KEY_FINGERPRINT}:" \
  || { echo "the downloaded key is not HashiCorp's release key ${HASHICORP_KEY_FINGERPRINT}" >&2; exit 1; }
gpg --batch --verify "terraform_${TERRAFORM_VERSION}_SHA256SUMS.sig" "terraform_${TERRAFORM_VERSION}_SHA256SUMS"
grep " ${zip}\$" "terraform_${TERRAFORM_VERSION}_SHA256SUMS" | sha256sum -c -
unzip -q "$zip" terraform -d /usr/local/bin
/usr/local/bin/terraform version
