"""The `medialib` command line through click's CliRunner: help, exit codes 0/1/2, thin commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from medialib.cli import main
from tests.ingest_support import REPO, cli

COMMANDS = sorted(main.commands)


def test_every_command_is_listed_with_help() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert {"init", "ingest", "remove", "reindex", "check", "list", "search", "serve",
            "demo"} <= set(COMMANDS)
    for name in COMMANDS:
        assert re.search(rf"^  {name}\s+\S", result.output, re.M), f"{name} has no help line"


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_has_help_and_documents_its_options(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    command = main.commands[name]
    assert command.help and len(command.help.split()) >= 4
    for param in command.params:
        if param.param_type_name == "option" and param.name != "help":
            assert getattr(param, "help", None), f"{name} {param.opts} has no help"


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_is_in_the_readme(name: str) -> None:
    assert f"`medialib {name}" in (REPO / "README.md").read_text(encoding="utf-8")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["no-such-command"]).exit_code == 2
    assert cli(tmp_path, "remove").exit_code == 2
    assert cli(tmp_path, "list", "--bogus").exit_code == 2


def test_init_then_empty_commands(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    result = cli(root, "init", root, "--title", "Our library")
    assert result.exit_code == 0
    assert (root / "catalog.yaml").exists() and (root / "media").is_dir()
    assert "Our library" in (root / "catalog.yaml").read_text()
    again = cli(root, "init", root)
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert cli(root, "reindex").exit_code == 0
    assert cli(root, "check").exit_code == 0
    listed = cli(root, "list", "--json")
    assert listed.exit_code == 0 and json.loads(listed.output) == []


def test_commands_on_a_folder_that_is_no_library(tmp_path: Path) -> None:
    for args in (["list"], ["check"], ["reindex"], ["remove", "x"]):
        result = cli(tmp_path, *args)
        assert result.exit_code == 1, args
        assert f"{tmp_path / 'catalog.yaml'}: no catalog here" in result.stderr


def test_sample_library_commands(fresh_library: Path) -> None:
    assert cli(fresh_library, "reindex").exit_code == 0
    listed = json.loads(cli(fresh_library, "list", "--json").output)
    assert "role-of-radiation-mbc" in {row["slug"] for row in listed}
    table = cli(fresh_library, "list")
    assert table.exit_code == 0 and "webcasts" in table.output
    found = cli(fresh_library, "search", "radiation", "--json")
    assert found.exit_code == 0 and json.loads(found.output)["results"]
    # No media is rendered in the committed sample: check names each missing file.
    check = cli(fresh_library, "check")
    assert check.exit_code == 1
    assert "media file of 'role-of-radiation-mbc' is missing" in check.stderr


def test_remove_an_unknown_slug(fresh_library: Path) -> None:
    result = cli(fresh_library, "remove", "nothing-here")
    assert result.exit_code == 1
    assert f"error: {fresh_library / 'catalog.yaml'}: no webcast 'nothing-here'" in result.stderr
