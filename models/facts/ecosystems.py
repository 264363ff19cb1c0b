"""Missing dependencies outside Python: Node (npm), Rust (cargo), Go (modules) and Java (Maven, only when the
class can be found in a local repository).

The package name comes from the language's own rule, never from a guess: a bare Node specifier names its npm
package (its first path part, two for a scope); a Rust `use x::` names crate `x` (cargo treats - and _ alike);
Go prints the `go get` it wants; a Java class is only mapped to Maven coordinates when a jar holding it is found
in ~/.m2 or the Gradle cache.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

from models.facts.evidence import Evidence, cargo_deps, go_requires, package_json_deps
from models.facts.sheet import FactSheet
from models.facts.tools import Tools

_NPM_NAME = re.compile(r"^(?:@[a-z0-9][\w.~-]*/)?[a-z0-9][\w.~-]*$")
RUST_BUILTIN = frozenset({"std", "core", "alloc", "proc_macro", "test", "crate", "self", "super"})
MAX_JARS = 4000


def node_builtins(tools: Tools) -> set[str] | None:
    """Node's own modules, asked of node itself (None without node)."""
    status, out = tools.run(["node", "-p", "require('module').builtinModules.join('\\n')"])
    return set(out.split()) if status == 0 else None


def npm_package(specifier: str) -> str | None:
    """The npm package a bare import specifier names ('lodash/fp' -> lodash, '@babel/core/lib' ->
    @babel/core); None for relative or absolute paths and URLs, which are files, not packages."""
    spec = specifier.strip()
    if not spec or spec.startswith((".", "/", "~")) or ":" in spec.split("/")[0] and not spec.startswith("@"):
        return None
    parts = spec.split("/")
    name = "/".join(parts[:2]) if spec.startswith("@") and len(parts) >= 2 else parts[0]
    return name if _NPM_NAME.match(name) and len(name) <= 214 else None


def node_facts(sheet: FactSheet, specifier: str, ev: Evidence, tools: Tools, typescript: bool = False) -> None:
    sheet.subject = specifier
    if specifier.startswith("node:"):
        sheet.add(f"`{specifier}` is one of Node's own modules; it needs Node 16 or newer (or it is imported in a "
                  "browser bundle).", "Node's module rules")
        _node_version(sheet, tools)
        return
    package = npm_package(specifier)
    if package is None:
        sheet.add(f"`{specifier}` is a path, not a package: Node resolves it from the importing file's folder, "
                  "so the file is missing or the path is wrong (check the spelling, the extension and the case).",
                  "Node's module rules")
        return
    builtins = node_builtins(tools)
    if builtins is not None and package in builtins:
        sheet.add(f"`{package}` is one of Node's own modules (not an npm package).", "node -p builtinModules")
        _node_version(sheet, tools)
        return
    sheet.add(f"A bare import `{specifier}` is resolved from node_modules: it names the npm package "
              f"**{package}**.", "Node's module resolution")
    manifest = ev.manifest("package.json")
    deps = package_json_deps(manifest) if manifest is not None else None
    if deps is not None and package in deps:
        sheet.add(f"package.json already lists {package} ({deps[package]}): it is not installed in node_modules.",
                  "package.json")
        sheet.step("Install the dependencies package.json lists:", "npm install",
                   f"{package} is in package.json but not in node_modules.")
    else:
        if deps is not None:
            sheet.add(f"package.json does not list {package}.", "package.json")
        elif ev.project_dir is None:
            sheet.cannot_verify("Whether package.json lists it (file access is off).")
        sheet.step(f"Add {package} to the project (run in the folder with package.json):", f"npm install {package}",
                   f"`{specifier}` is a bare import, so the package is {package}.")
    if typescript and not package.startswith("@types/"):
        types = f"@types/{package[1:].replace('/', '__')}" if package.startswith("@") else f"@types/{package}"
        sheet.cannot_verify(f"If {package} ships no type declarations, TypeScript also needs `npm install -D "
                            f"{types}` (whether {types} exists cannot be checked offline).")
    if tools.which("npm") is None:
        sheet.cannot_verify("npm is not on PATH on this computer; install Node.js (which brings npm) first.")


def _node_version(sheet: FactSheet, tools: Tools) -> None:
    status, out = tools.run(["node", "--version"])
    if status == 0:
        sheet.add(f"node on PATH is {out.strip()}.", "node --version")


def rust_facts(sheet: FactSheet, name: str, ev: Evidence, tools: Tools) -> None:
    sheet.subject = name
    if name in RUST_BUILTIN:
        sheet.add(f"`{name}` is part of Rust itself, not a crate: check the path after it.", "the Rust reference")
        return
    sheet.add(f"`use {name}::...` names the crate **{name}** (crates with a hyphen, like {name.replace('_', '-')}, "
              "are written with an underscore in code).", "the Rust reference")
    manifest = ev.manifest("Cargo.toml")
    if manifest is not None:
        deps = cargo_deps(manifest)
        listed = {d for d in deps if d.replace("-", "_") == name}
        if listed:
            sheet.add(f"Cargo.toml already lists {', '.join(sorted(listed))}: the name is right; check the item path, "
                      "the crate's features and the edition.", "Cargo.toml")
            return
        sheet.add(f"Cargo.toml does not list {name}.", "Cargo.toml")
    elif ev.project_dir is None:
        sheet.cannot_verify("Whether Cargo.toml lists it (file access is off).")
    if tools.which("cargo") is not None and not re.search(r"(?i)usage:\s+cargo add|cargo-add",
                                                          tools.help_text("cargo", "add")):
        sheet.step(f"Add `{name} = \"*\"` under [dependencies] in Cargo.toml (this cargo has no `cargo add`).", "",
                   f"`{name}` is used but not declared.")
        return
    sheet.step(f"Add the crate to Cargo.toml (cargo accepts {name} or {name.replace('_', '-')}):",
               f"cargo add {name}", f"`{name}` is used in the code but not declared as a dependency.")
    if tools.which("cargo") is None:
        sheet.cannot_verify("cargo is not on PATH on this computer; install Rust with rustup first.")


def go_facts(sheet: FactSheet, path: str, error: str, ev: Evidence, tools: Tools) -> None:
    sheet.subject = path
    told = re.search(r"to add it:\s*(go get [\w.@/~-]+)", error)
    first = path.split("/")[0]
    if "." not in first:
        sheet.add(f"`{path}` has no domain in its first element: it is a standard-library path or a package of "
                  "your own module, not something `go get` can fetch.", "Go's module path rules")
        return
    manifest = ev.manifest("go.mod")
    if manifest is not None:
        listed = [m for m in go_requires(manifest) if path == m or path.startswith(m + "/")]
        sheet.add(f"go.mod {'requires ' + listed[0] if listed else 'does not require it'}.", "go.mod")
    elif ev.project_dir is None:
        sheet.cannot_verify("Whether go.mod requires it (file access is off).")
    command = told.group(1) if told else f"go get {path}"
    sheet.step("Add the module that provides the package (in the folder with go.mod):", command,
               "Go names this command in the error." if told else f"`{path}` is an import path; `go get` "
               "resolves it to its module.")
    if tools.which("go") is None:
        sheet.cannot_verify("go is not on PATH on this computer; install Go first.")


def java_facts(sheet: FactSheet, class_name: str, ev: Evidence, tools: Tools, is_package: bool = False) -> None:
    """Maven coordinates only when a jar holding the class is in the local Maven or Gradle cache."""
    cls = class_name.replace("/", ".").strip(".")
    sheet.subject = cls
    package = cls if is_package else (cls.rsplit(".", 1)[0] if "." in cls else "")
    if is_package:
        sheet.add(f"javac could not find package `{cls}`: no jar on the compile classpath holds it.", "the error text")
    else:
        sheet.add(f"The JVM could not find class `{cls}` on the classpath" + (f" (package `{package}`)." if package
                                                                             else "."), "the error text")
    found = _jar_with_class(cls, is_package)
    if found is not None:
        group, artifact, version, jar = found
        sheet.add(f"`{cls}` is in {jar}, i.e. Maven **{group}:{artifact}:{version}**.", "the local Maven cache")
        sheet.step(f"Add {group}:{artifact}:{version} to your build (pom.xml or build.gradle), then rebuild.",
                   "", f"the jar that holds {cls} is {group}:{artifact}:{version}.")
        return
    sheet.cannot_verify(f"Which Maven artifact provides `{cls}`: no jar in ~/.m2 or the Gradle cache holds it, and "
                        "the coordinates cannot be checked offline.")


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else -1 for p in re.split(r"[.-]", version))


def _jar_with_class(cls: str, package: bool = False) -> tuple[str, str, str, str] | None:
    """(group, artifact, version, jar) of the newest jar in ~/.m2 or the Gradle cache holding the class (or,
    with `package`, any class of that package); None when none does."""
    prefix = cls.replace(".", "/") + ("/" if package else ".class")
    home = Path(os.path.expanduser("~"))
    roots = [home / ".m2" / "repository", home / ".gradle" / "caches" / "modules-2" / "files-2.1"]
    found: list[tuple[str, str, str, str]] = []
    seen = 0
    for root in roots:
        if not root.is_dir():
            continue
        for jar in root.rglob("*.jar"):
            seen += 1
            if seen > MAX_JARS:
                break
            try:
                with zipfile.ZipFile(jar) as z:
                    names = z.namelist()
                    if not (any(n.startswith(prefix) and n.endswith(".class") and "/" not in n[len(prefix):]
                                for n in names) if package else prefix in names):
                        continue
            except (OSError, zipfile.BadZipFile):
                continue
            rel = jar.relative_to(root).parts
            if root.name == "repository" and len(rel) >= 4:
                found.append((".".join(rel[:-3]), rel[-3], rel[-2], jar.name))
            elif len(rel) >= 4:
                found.append((rel[0], rel[1], rel[2], jar.name))
    if not found:
        return None
    artifacts = {(g, a) for g, a, _, _ in found}
    if len(artifacts) > 1:  # several artifacts hold it (a fork, a shaded copy): the most common one
        counts = {ga: sum(1 for g, a, _, _ in found if (g, a) == ga) for ga in artifacts}
        best = max(counts, key=lambda ga: counts[ga])
        found = [f for f in found if (f[0], f[1]) == best]
    return max(found, key=lambda f: _version_key(f[2]))
