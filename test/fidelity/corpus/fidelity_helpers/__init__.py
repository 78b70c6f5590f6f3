"""Helpers the fidelity corpus imports, as DAG folders import their own helper packages."""
