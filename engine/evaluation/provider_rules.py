"""Each cloud's own rules for tag keys and values (reason ``invalid_for_provider``)."""

from __future__ import annotations

from collections.abc import Mapping

from tagwarden.engine.resources import TagValue

AWS_MAX_TAGS, AZURE_MAX_TAGS, GCP_MAX_LABELS = 50, 50, 64
_AZURE_FORBIDDEN_KEY_CHARS = set("<>%&\\?/")


def _gcp_label_text_ok(text: str, *, is_key: bool) -> bool:
    if len(text) > 63 or (is_key and not text):
        return False
    if is_key and not (text[0].isalpha() and text[0].islower()):
        return False
    return all((char.isalpha() and char.islower()) or char.isdigit() or char in "_-" for char in text)


def key_problem(provider: str, key: str) -> str | None:
    if provider == "aws":
        if key.lower().startswith("aws:"):
            return "the aws: prefix is reserved for AWS"
        if not 1 <= len(key) <= 128:
            return "AWS tag keys are 1 to 128 characters"
    elif provider == "azure":
        if len(key) > 512:
            return "Azure tag names are at most 512 characters"
        if _AZURE_FORBIDDEN_KEY_CHARS & set(key):
            return "Azure tag names cannot contain < > % & \\ ? /"
    elif provider == "gcp" and not _gcp_label_text_ok(key, is_key=True):
        return "GCP label keys start with a lowercase letter and hold only a-z, 0-9, _ and - (63 at most)"
    return None


def value_problem(provider: str, value: str) -> str | None:
    if provider == "aws" and len(value) > 256:
        return "AWS tag values are at most 256 characters"
    if provider == "azure" and len(value) > 256:
        return "Azure tag values are at most 256 characters"
    if provider == "gcp" and not _gcp_label_text_ok(value, is_key=False):
        return "GCP label values hold only lowercase letters, digits, _ and - (63 at most)"
    return None


def tag_set_problems(provider: str, tags: Mapping[str, TagValue]) -> list[str]:
    """Every problem of a resource's whole tag set, for the built-in ``provider-limits`` rule."""
    problems: list[str] = []
    limit = {"aws": AWS_MAX_TAGS, "azure": AZURE_MAX_TAGS, "gcp": GCP_MAX_LABELS}.get(provider)
    if limit is not None and len(tags) > limit:
        problems.append(f"{len(tags)} tags, more than the {limit} {provider} allows")
    for key, value in tags.items():
        problem = key_problem(provider, key)
        if problem:
            problems.append(f"key '{key}': {problem}")
        if isinstance(value, str) and (problem := value_problem(provider, value)):
            problems.append(f"value of '{key}': {problem}")
    return problems
