"""Walk a root module and the modules it calls, and turn each resource block into Resources."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tagwarden.engine.resources import Resource, SourceProblem, Suppression, Taggability, TagSet, Unknown
from tagwarden.engine.taggability.registry import TaggabilityRegistry
from tagwarden.iac_checks.discovery import relative_name
from tagwarden.iac_checks.interface import LoadResult
from tagwarden.iac_checks.terraform.expressions import PartialMap
from tagwarden.iac_checks.terraform.hcl.ir import Body
from tagwarden.iac_checks.terraform.instance import (
    ModuleInstance,
    ProviderConfig,
    Scope,
    evaluate_or_unknown,
    provider_configs,
    provider_key,
)
from tagwarden.iac_checks.terraform.module import Located, Module, is_local_source, literal_string
from tagwarden.iac_checks.terraform.tags import resource_tags
from tagwarden.iac_checks.terraform.variables import root_variable_values, typed_value, variable_defaults

if TYPE_CHECKING:
    from tagwarden.iac_checks.terraform.loader import ModuleLibrary

MAX_MODULE_DEPTH = 32
MAX_INSTANCES = 1000
MODULE_META_ARGUMENTS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})
_SUPPRESSION = re.compile(r"tagwarden:ignore\s+([A-Za-z0-9*_,-]+)[ \t]*(.*)")

Iteration = tuple[str | None, dict[str, Any]]


@dataclass(frozen=True)
class RootSettings:
    root: Path  # the checked folder; files are named relative to it
    var_files: tuple[Path, ...] = ()
    environ: Mapping[str, str] = field(default_factory=dict)


@dataclass
class _Children:
    """The instances one module call made: a single one, a list (count), a map (for_each), or unknown."""

    instances: list[tuple[str | None, ModuleInstance]]
    shape: str  # "single" | "count" | "for_each" | "unknown"
    unknown: Unknown | None = None


class ModuleEvaluator:
    def __init__(
        self, library: ModuleLibrary, registry: TaggabilityRegistry, settings: RootSettings, result: LoadResult
    ) -> None:
        self.library = library
        self.registry = registry
        self.settings = settings
        self.result = result
        self.root_folder = settings.root
        self._children: dict[tuple[str, str], _Children] = {}
        self.visited_folders: set[Path] = set()  # every module folder read, for the root cache
        self._remote_index: dict[str, Path] | None = None

    def evaluate_root(self, folder: Path) -> None:
        self.root_folder = folder
        self._remote_index = None
        module = self._module(folder)
        problems: list[SourceProblem] = []
        variables = root_variable_values(
            folder,
            module.variables,
            self.settings.var_files,
            self.settings.environ,
            self.library.parser.parse,
            problems,
        )
        self.result.problems.extend(problems)
        path_root = relative_name(folder, self.settings.root) or "."
        instance = ModuleInstance(module, "", variables, {}, path_module=path_root, path_root=path_root)
        instance.providers = provider_configs(module, instance.scope())
        self._emit(instance, depth=0, stack=(folder,))

    def _module(self, folder: Path) -> Module:
        self.visited_folders.add(folder.resolve())
        return self.library.get(folder)

    # -- walking ---------------------------------------------------------------------------

    def _emit(self, instance: ModuleInstance, depth: int, stack: tuple[Path, ...]) -> None:
        instance.module_outputs = lambda name: self._outputs(instance, name, depth, stack)
        for call in instance.module.module_calls:
            children = self._children_of(instance, call, depth, stack)
            for _key, child in children.instances:
                self._emit(child, depth + 1, (*stack, child.module.folder))
        for located in instance.module.resources:
            self.result.resources.extend(self._resources(instance, located))

    def _children_of(self, instance: ModuleInstance, call: Located, depth: int, stack: tuple[Path, ...]) -> _Children:
        name = call.block.labels[0]
        memo_key = (instance.address, name)
        if memo_key not in self._children:
            self._children[memo_key] = _Children([], "unknown", Unknown((f"module.{name}",)))  # guards recursion
            self._children[memo_key] = self._instantiate(instance, call, depth, stack)
        return self._children[memo_key]

    def _instantiate(self, parent: ModuleInstance, call: Located, depth: int, stack: tuple[Path, ...]) -> _Children:
        name = call.block.labels[0]
        address = parent.prefix(f"module.{name}")
        folder = self._module_folder(parent, call, address)
        not_followed = _Children([], "unknown", Unknown((address,)))
        if folder is None:
            return not_followed
        if depth >= MAX_MODULE_DEPTH or folder in stack:
            self.result.notes.append(
                f"{call.file}:{call.block.line}: {address} not followed: modules call each other in a loop"
            )
            return not_followed
        module = self._module(folder)
        iterations, shape = _iterations(call.block.body, parent.scope(), address)
        children = []
        for key, bindings in iterations:
            scope = parent.scope(bindings)
            child = self._child_instance(parent, module, call, address, scope)
            if key is not None or parent.instance_key:  # module.x["a"]: tells its resources from module.x["b"]'s
                keyed_parent = f"{parent.instance_key}." if parent.instance_key else ""
                child.instance_key = f"{keyed_parent}module.{name}{key or ''}"
            children.append((key, child))
        return _Children(children, shape, None)

    def _child_instance(
        self, parent: ModuleInstance, module: Module, call: Located, address: str, scope: Scope
    ) -> ModuleInstance:
        variables = variable_defaults(module.variables)
        for argument, attribute in call.block.body.attributes.items():
            if argument in module.variables and argument not in MODULE_META_ARGUMENTS:
                value = evaluate_or_unknown(attribute.expr, scope, f"{address}.{argument}")
                variables[argument] = typed_value(value, module.variables[argument])
        path_module = relative_name(module.folder, self.settings.root)
        child = ModuleInstance(module, address, variables, {}, path_module=path_module, path_root=parent.path_root)
        child.providers = {**_inherited_providers(parent), **_passed_providers(parent, call.block.body)}
        child.providers.update(provider_configs(module, child.scope()))
        return child

    def _outputs(self, instance: ModuleInstance, name: str, depth: int, stack: tuple[Path, ...]) -> Any:
        call = next((c for c in instance.module.module_calls if c.block.labels[0] == name), None)
        if call is None:
            return Unknown((instance.prefix(f"module.{name}") + " (no such module call)",))
        children = self._children_of(instance, call, depth, stack)
        if children.unknown is not None:
            return children.unknown
        values = [(key, _output_values(child)) for key, child in children.instances]
        if children.shape == "single":
            return values[0][1] if values else Unknown((f"module.{name}",))
        if children.shape == "count":
            return [value for _key, value in values]
        return {str(key).strip('[]"'): value for key, value in values}

    # -- module sources ----------------------------------------------------------------------

    def _module_folder(self, parent: ModuleInstance, call: Located, address: str) -> Path | None:
        source_attribute = call.block.body.attributes.get("source")
        source = literal_string(source_attribute.expr) if source_attribute else None
        if source is None:
            self.result.notes.append(f"{call.file}:{call.block.line}: {address} has no literal source; not followed")
            return None
        if is_local_source(source):
            folder = (parent.module.folder / source).resolve()
            if folder.is_dir() and any(folder.glob("*.tf")):
                return folder
            if folder.is_dir():
                self.result.problems.append(
                    SourceProblem(call.file, call.block.line, f"{address}: module source {source!r} has no .tf files")
                )
                return None
            self.result.problems.append(
                SourceProblem(call.file, call.block.line, f"{address}: module source {source!r} does not exist")
            )
            return None
        installed = self._remote_modules().get(_module_key(address))
        if installed is not None and installed.is_dir():
            return installed
        self.result.notes.append(
            f"{call.file}:{call.block.line}: {address} (source {source!r}) not followed: run `terraform init` "
            "so that .terraform/modules holds it"
        )
        return None

    def _remote_modules(self) -> dict[str, Path]:
        if self._remote_index is None:
            self._remote_index = _read_modules_json(self.root_folder)
        return self._remote_index

    # -- resources ---------------------------------------------------------------------------

    def _resources(self, instance: ModuleInstance, located: Located) -> list[Resource]:
        block = located.block
        resource_type, name = block.labels
        info = self.registry.info(resource_type)
        if info.taggability is Taggability.UNTAGGABLE:
            return []
        address = instance.prefix(f"{resource_type}.{name}")

        def resource(tags: TagSet, instance_key: str | None) -> Resource:
            return Resource(
                provider=info.provider,
                type=resource_type,
                address=address,
                tags=tags,
                taggability=info.taggability,
                name=name,
                file=located.file,
                line=block.line,
                instance=instance_key,
                suppressions=_suppressions(located.directives, block.line),
            )

        module_key = instance.instance_key or ""
        if info.taggability is Taggability.UNCLASSIFIED:
            return [resource(TagSet(), module_key or None)]
        iterations, _shape = _iterations(block.body, instance.scope(), address)
        defaults = _default_tags_for(instance, block.body, resource_type)
        tagged: dict[TagSetKey, tuple[TagSet, str | None]] = {}
        for key, bindings in iterations:
            tags = resource_tags(block.body, info, instance.scope(bindings), defaults)
            tagged.setdefault(_tag_set_key(tags), (tags, f"{module_key}{key or ''}" or None))
        if len(tagged) == 1:  # every instance is tagged alike: one resource, keyed only by its module instance
            ((tags, _key),) = tagged.values()
            return [resource(tags, module_key or None)]
        return [resource(tags, key) for tags, key in tagged.values()]


TagSetKey = tuple[tuple[tuple[str, str], ...], tuple[str, ...]]


def _tag_set_key(tags: TagSet) -> TagSetKey:
    return (tuple(sorted((k, repr(v)) for k, v in tags.known.items())), tuple(tags.open_deps))


def _default_tags_for(instance: ModuleInstance, body: Body, resource_type: str) -> Any:
    provider_attribute = body.attributes.get("provider")
    key = provider_key(provider_attribute.expr) if provider_attribute else resource_type.split("_", 1)[0]
    config = instance.providers.get(key or "")
    return config.default_tags if config else None


def _inherited_providers(parent: ModuleInstance) -> dict[str, ProviderConfig]:
    """A child module gets its parent's default (unaliased) provider configurations implicitly."""
    return {key: config for key, config in parent.providers.items() if "." not in key}


def _passed_providers(parent: ModuleInstance, body: Body) -> dict[str, ProviderConfig]:
    """``providers = { aws = aws.west }`` on the module call."""
    attribute = body.attributes.get("providers")
    if attribute is None or attribute.expr[0] != "object":
        return {}
    passed: dict[str, ProviderConfig] = {}
    for key_expr, value_expr in attribute.expr[1]:
        child_key = provider_key(key_expr) if key_expr[0] != "lit" else str(key_expr[1])
        parent_key = provider_key(value_expr)
        if child_key and parent_key and parent_key in parent.providers:
            passed[child_key] = parent.providers[parent_key]
    return passed


def _output_values(instance: ModuleInstance) -> dict[str, Any]:
    values = {}
    for name, block in instance.module.outputs.items():
        value = block.body.attributes.get("value")
        what = instance.prefix(f"output.{name}")
        values[name] = evaluate_or_unknown(value.expr, instance.scope(), what) if value else None
    return values


def _iterations(body: Body, scope: Scope, address: str) -> tuple[list[Iteration], str]:
    count_attribute, for_each_attribute = body.attributes.get("count"), body.attributes.get("for_each")
    if count_attribute is not None:
        return _count_iterations(evaluate_or_unknown(count_attribute.expr, scope, f"{address}.count")), "count"
    if for_each_attribute is not None:
        collection = evaluate_or_unknown(for_each_attribute.expr, scope, f"{address}.for_each")
        return _for_each_iterations(collection), "for_each"
    return [(None, {})], "single"


def _count_iterations(count: Any) -> list[Iteration]:
    if isinstance(count, Unknown):
        return [(None, {"count": {"index": Unknown(count.depends_on)}})]
    try:
        number = int(count)
    except (TypeError, ValueError):
        return [(None, {"count": {"index": Unknown((f"count = {count!r}",))}})]
    return [(f"[{index}]", {"count": {"index": index}}) for index in range(min(number, MAX_INSTANCES))]


def _for_each_iterations(collection: Any) -> list[Iteration]:
    if isinstance(collection, Unknown | PartialMap):
        deps = collection.depends_on if isinstance(collection, Unknown) else tuple(collection.open_deps)
        return [(None, {"each": {"key": Unknown(deps), "value": Unknown(deps)}})]
    if isinstance(collection, Mapping):
        pairs = list(collection.items())
    elif isinstance(collection, list | tuple | set | frozenset):
        pairs = [(item, item) for item in collection]
    else:
        return [(None, {"each": {"key": Unknown(("for_each",)), "value": Unknown(("for_each",))}})]
    return [(f'["{key}"]', {"each": {"key": key, "value": value}}) for key, value in pairs[:MAX_INSTANCES]]


def _suppressions(directives: Mapping[int, str], line: int) -> tuple[Suppression, ...]:
    found = []
    for directive_line in (line - 1, line):
        text = directives.get(directive_line) or directives.get(str(directive_line))  # type: ignore[call-overload]
        match = _SUPPRESSION.search(text or "")
        if match:
            rules = tuple(rule for rule in match.group(1).split(",") if rule)
            found.append(Suppression(rules, match.group(2).strip(), directive_line))
    return tuple(found)


def _module_key(address: str) -> str:
    """``module.a.module.b`` -> ``a.b``, the key Terraform writes in .terraform/modules/modules.json."""
    return ".".join(part for index, part in enumerate(address.split(".")) if index % 2 == 1)


def _read_modules_json(root_folder: Path) -> dict[str, Path]:
    manifest = root_folder / ".terraform" / "modules" / "modules.json"
    try:
        document = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entries = document.get("Modules", []) if isinstance(document, dict) else []
    return {
        str(entry["Key"]): (root_folder / str(entry["Dir"])).resolve()
        for entry in entries
        if isinstance(entry, dict) and entry.get("Key") and entry.get("Dir")
    }
