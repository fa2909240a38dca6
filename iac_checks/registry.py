"""Every IaC input format, in the order they are asked to claim a file."""

from __future__ import annotations

from collections.abc import Sequence

from tagwarden.iac_checks.interface import IacLoader


def _build(loaders: Sequence[IacLoader]) -> tuple[IacLoader, ...]:
    names = [loader.name for loader in loaders]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"IaC loaders registered twice: {duplicates}")
    return tuple(loaders)


def iac_loaders() -> tuple[IacLoader, ...]:
    """Built on first use, so `tagwarden --version` imports none of them."""
    from tagwarden.iac_checks.cloudformation import CloudFormationLoader
    from tagwarden.iac_checks.plan_json import PlanJsonLoader
    from tagwarden.iac_checks.terraform.loader import TerraformLoader

    return _build([TerraformLoader(), PlanJsonLoader(), CloudFormationLoader()])
