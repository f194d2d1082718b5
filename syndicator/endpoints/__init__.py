"""Endpoint kinds. ENDPOINTS maps each `type` in [[endpoints]] to its class."""
