# DNS delegation: the verifier's tests ask a real authoritative DNS server (nsd on 127.0.0.1).
APT_PACKAGES += nsd
