"""What a newcomer hits first: --version, a readable generate summary, a refusal of
--persons 0, a bad date naming where it came from, and no armed sensor or schedule
where no landing folder is configured."""
from __future__ import annotations

import os
import subprocess
import sys

from click.testing import CliRunner

from pipelines.cli import main, summary_lines

KEY = "test-key-for-the-newcomer-tests-0123456789"


def test_version_names_the_package_version():
    from importlib.metadata import version

    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"ddas, version {version('ddas-pipeline')}"


def test_generate_refuses_zero_persons(tmp_path):
    result = CliRunner().invoke(main, ["generate", "--out", str(tmp_path / "l"), "--persons", "0"])
    assert result.exit_code == 2
    assert "--persons" in result.output
    assert not (tmp_path / "l").exists()


def test_generate_prints_one_readable_line_per_count(tmp_path):
    result = CliRunner().invoke(main, ["generate", "--out", str(tmp_path / "l"), "--persons", "30", "--seed", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "  persons: 30" in lines
    assert any(line.startswith("    trajecten: ") for line in lines)
    assert "{" not in result.output  # no dict printed as Python


def test_summary_lines_nest_and_separate_thousands():
    text = summary_lines({"a": 1234567, "b": {"c": [1, 2]}, "d": []})
    assert text.splitlines() == ["  a: 1,234,567", "  b:", "    c: 1, 2", "  d: -"]


def test_a_bad_date_names_the_flag_or_the_variable(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    (landing / "ddas").mkdir(parents=True)
    monkeypatch.setenv("DDAS_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("DDAS_PEILDATUM", raising=False)
    args = ["run", "--landing", str(landing), "--output", str(tmp_path / "out")]
    flag = CliRunner().invoke(main, [*args, "--peildatum", "31-12-2025"])
    assert flag.exit_code == 2 and "--peildatum must be a date YYYY-MM-DD" in flag.output
    monkeypatch.setenv("DDAS_HISTORIE_VANAF", "2019")
    var = CliRunner().invoke(main, args)
    assert var.exit_code == 2 and "DDAS_HISTORIE_VANAF must be a date YYYY-MM-DD" in var.output


def _statuses(env: dict) -> str:
    code = ("from pipelines.sensors import landing_sensor; from pipelines.schedules import nightly_schedule; "
            "print(landing_sensor.default_status.value, nightly_schedule.default_status.value)")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()


def test_sensor_and_schedule_are_armed_only_with_a_landing_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DDAS_LANDING_DIR"}
    assert _statuses(env) == ["STOPPED", "STOPPED"]
    assert _statuses({**env, "DDAS_LANDING_DIR": str(tmp_path)}) == ["RUNNING", "RUNNING"]
