"""The Python task worker of Airflow Preflight's local simulator.

``worker.py`` beside this file is the entry point; the modules here are imported as the
``preflight_worker`` package so that their names never shadow a user's own modules.
"""
