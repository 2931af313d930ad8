"""environment.yml describes the same environment as pyproject.toml (kept in step by hand)."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
# conda entries with no pyproject counterpart, and why.
CONDA_ONLY = {
    "python": "the interpreter itself",
    "pip": "installs the pip section",
    "font-ttf-noto-cjk": "the CJK font that Debian's fonts-noto-cjk provides (scripts/setup.sh)",
}


def pyproject_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    return [Requirement(r) for r in reqs]


def environment() -> tuple[dict[str, str], list[str]]:
    """conda packages (name -> specifier) and the pip section's lines."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip += dep.get("pip", [])
            continue
        name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$", dep).groups()
        conda[name.lower()] = spec.replace(" ", "")
    return conda, pip


def test_every_python_dependency_is_in_environment_yml_with_the_same_versions():
    conda, pip = environment()
    missing = []
    for req in pyproject_requirements():
        if any(Requirement(p) == req for p in pip if not p.startswith("-")):
            continue
        name = req.name.lower()
        if name not in conda or SpecifierSet(conda[name]) != req.specifier:
            missing.append(f"{req} (environment.yml: {name}{conda.get(name, ' missing')})")
        for extra in req.extras:                      # dask[distributed] -> distributed too
            if extra.lower() not in conda:
                missing.append(f"{req}: conda needs '{extra}' as its own package")
    assert not missing, "environment.yml is out of step with pyproject.toml:\n" + "\n".join(missing)


def test_environment_yml_has_nothing_pyproject_lacks():
    conda, pip = environment()
    known = set()
    for req in pyproject_requirements():
        known.add(req.name.lower())
        known.update(e.lower() for e in req.extras)
    extra = sorted(set(conda) - known - set(CONDA_ONLY))
    assert not extra, f"environment.yml lists packages pyproject.toml does not: {extra}"
    assert "-e ." in pip, "environment.yml must install the package itself (pip: -e .)"
