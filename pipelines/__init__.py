"""Orchestration: the Definitions, jobs, schedules, sensors and the `ddas` command."""
