"""Stuck on an error while programming: Python, Node, Rust, Go and Java.

The usual course: the run fails in a terminal, the person reruns or edits, looks the error up in a browser,
goes back and forth, and fixes it. Terminal titles follow the shell (zsh and Konsole show the running
command; Ubuntu's bash shows `user@host: dir` only), so the error text itself mostly reaches the event log
through the search for it or an error page, as on a real desktop.
"""

from __future__ import annotations

from bench.situations.script import Need, Script, Situation, situation
from bench.situations.titles import (
    chromium,
    command,
    duckduckgo,
    firefox,
    google,
    konsole,
    stackoverflow,
    vscode,
)

FIX = ("explain_error", "find_fix")


def search(s: Script, page: str, typing: float = 5.0) -> Script:
    """In the focused browser: type a query or address and land on `page`."""
    return s.type(typing, cps=6).keys("Return", then=1.5).title(page)


def python_import_torch() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("New Tab"))
    s.desk("term", "gnome-terminal", "~/vision")
    s.desk("code", "code", vscode("train.py", "vision"))
    s.type(40, cps=3).keys("ctrl+s")
    s.focus("term")
    command(s, "python train.py", 3, "~/vision")
    start = s.now
    s.wait(8).focus("code").type(12, cps=2).keys("ctrl+s").focus("term")
    command(s, "python train.py", 3, "~/vision")
    s.wait(10).focus("web")
    search(s, firefox(google("ModuleNotFoundError: No module named 'torch'")))
    evidence = s.now
    s.scroll(10).title(firefox(stackoverflow("ModuleNotFoundError: No module named 'torch'", "python")))
    s.scroll(35, 0.4).focus("term").wait(5).focus("web").scroll(15, 0.3).focus("term")
    command(s, "pip install torch", 45, "~/vision")
    fixed = s.now
    command(s, "python train.py", 40, "~/vision")
    return situation("python_import_torch", "python_error", "a training script fails on a missing module; "
                     "rerun, search, install", s,
                     [Need(start, evidence, fixed, FIX, "ModuleNotFoundError: No module named 'torch'")])


def python_pandas_keyerror() -> Situation:
    s = Script()
    s.desk("web", "chromium", chromium("New Tab"))
    s.desk("run", "xterm", "alice@laptop: ~/sales")
    s.desk("vim", "xterm", "report.py (~/sales) - VIM")
    s.type(30, cps=3).keys("Escape", "colon", "w", "Return").focus("run")
    command(s, "python report.py march.csv", 4)
    start = s.now
    s.wait(6).focus("vim").scroll(8, 0.5).type(8, cps=2).focus("run")
    command(s, "python report.py march.csv", 4)
    s.wait(5).focus("web")
    search(s, chromium(google("pandas KeyError: 'date' column exists in csv")))
    evidence = s.now
    s.scroll(8).title(chromium(stackoverflow("Pandas KeyError on a column that exists", "python")))
    s.scroll(30, 0.4).focus("vim").type(10, cps=2).focus("web").scroll(12, 0.3)
    s.focus("vim").type(6, cps=2).keys("Escape", "colon", "w", "Return").focus("run")
    command(s, "python report.py march.csv", 4)
    fixed = s.now
    s.wait(10).focus("vim").type(25, cps=3)
    return situation("python_pandas_keyerror", "python_error", "a report script raises KeyError on a CSV "
                     "column; vim and a terminal, a search in Chromium", s,
                     [Need(start, evidence, fixed, FIX, "KeyError: 'date' reading a CSV with pandas")])


def python_django_typeerror() -> Situation:
    s = Script()
    s.desk("server", "konsole", konsole("shop : python3"))
    s.desk("code", "code", vscode("views.py", "shop"))
    s.desk("web", "firefox", firefox("Orders – Shop admin"))
    s.scroll(6).keys("F5", then=2.0).title(firefox("TypeError at /orders/"))
    start = evidence = s.now
    s.scroll(20, 0.4).focus("code").type(20, cps=2).keys("ctrl+s").focus("web").keys("F5", then=2.0)
    s.scroll(10, 0.3).focus("server").wait(6).focus("web").keys("ctrl+t", then=0.5).title(firefox("New Tab"), then=0.5)
    search(s, firefox(google("django TypeError 'NoneType' object is not subscriptable queryset first")))
    s.scroll(8).title(firefox(stackoverflow("'NoneType' object is not subscriptable after .first()", "django")))
    s.scroll(30, 0.4).focus("code").type(25, cps=2).keys("ctrl+s").focus("web").keys("ctrl+w", then=1.0)
    s.title(firefox("TypeError at /orders/")).keys("F5", then=2.0).title(firefox("Orders – Shop admin"))
    fixed = s.now
    s.scroll(15, 0.3).focus("code").type(20, cps=3)
    return situation("python_django_typeerror", "python_error", "a Django page shows the debug error page; "
                     "edit, reload, search", s,
                     [Need(start, evidence, fixed, FIX, "TypeError at /orders/ ('NoneType' not subscriptable)")])


def node_cannot_find_module() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("Express - Node.js web application framework"))
    s.desk("term", "gnome-terminal", "alice@laptop: ~/api")
    s.desk("code", "code", vscode("server.js", "api"))
    s.type(35, cps=3).keys("ctrl+s").focus("term")
    command(s, "node server.js", 2)
    start = s.now
    s.wait(8).focus("code").scroll(6).focus("term")
    command(s, "node server.js", 2)
    s.wait(6).focus("web").keys("ctrl+t", then=0.5).title(firefox("New Tab"), then=0.5)
    search(s, firefox(google("Error: Cannot find module 'express'")))
    evidence = s.now
    s.scroll(10).title(firefox(stackoverflow("Error: Cannot find module 'express'", "node.js")))
    s.scroll(30, 0.4).focus("term")
    command(s, "npm install express", 20)
    command(s, "node server.js", 2)
    fixed = s.now
    s.wait(5).focus("code").type(30, cps=3)
    return situation("node_cannot_find_module", "node_error", "node cannot find 'express'; rerun, search, npm "
                     "install", s, [Need(start, evidence, fixed, FIX, "Error: Cannot find module 'express'")])


def node_undefined_map() -> Situation:
    s = Script()
    s.desk("term", "gnome-terminal", "npm start")
    s.desk("web", "chromium", chromium("React App"))
    s.desk("code", "code", vscode("OrderList.jsx", "storefront"))
    s.type(30, cps=3).keys("ctrl+s").focus("web").keys("F5", then=2.0)
    start = s.now
    s.wait(5).keys("F12", then=1.0).open("devtools", "chromium", "DevTools - localhost:3000/")
    s.scroll(10, 0.3).focus("code").type(10, cps=2).keys("ctrl+s").focus("web").keys("F5", then=3.0)
    s.focus("devtools").wait(6).focus("web").keys("ctrl+t", then=0.5).title(chromium("New Tab"), then=0.5)
    search(s, chromium(google("TypeError: Cannot read properties of undefined (reading 'map')")))
    evidence = s.now
    s.scroll(8).title(chromium(stackoverflow("Cannot read properties of undefined (reading 'map') in React",
                                             "javascript")))
    s.scroll(35, 0.4).focus("code").type(20, cps=2).keys("ctrl+s").focus("web").keys("ctrl+w", then=1.0)
    s.title(chromium("React App")).keys("F5", then=2.0)
    fixed = s.now
    s.scroll(10).focus("code").type(25, cps=3)
    return situation("node_undefined_map", "node_error", "a React page stays blank; devtools, reload, search "
                     "the TypeError", s,
                     [Need(start, evidence, fixed, FIX, "TypeError: Cannot read properties of undefined "
                                                        "(reading 'map')")])


def node_npm_eresolve() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("Upgrading to React 19 – React"))
    s.desk("term", "konsole", konsole("web : zsh"))
    s.scroll(20, 0.3).focus("term")
    command(s, "npm install react@19 react-dom@19", 18, konsole("web : zsh"), konsole("web : npm"))
    start = s.now
    s.scroll(10, 0.5).wait(5)
    command(s, "npm install react@19 react-dom@19", 15, konsole("web : zsh"), konsole("web : npm"))
    s.wait(4).focus("web").keys("ctrl+t", then=0.5).title(firefox("New Tab"), then=0.5)
    search(s, firefox(google("npm ERR! code ERESOLVE unable to resolve dependency tree react 19")))
    evidence = s.now
    s.scroll(10).title(firefox(stackoverflow("npm ERR! code ERESOLVE unable to resolve dependency tree")))
    s.scroll(40, 0.4).focus("term").wait(5).focus("web").scroll(10, 0.3).focus("term")
    command(s, "npm install react@19 react-dom@19 --legacy-peer-deps", 20, konsole("web : zsh"),
            konsole("web : npm"))
    fixed = s.now
    s.wait(10)
    return situation("node_npm_eresolve", "node_error", "npm refuses an upgrade with ERESOLVE; retry, search, "
                     "legacy peer deps", s,
                     [Need(start, evidence, fixed, FIX, "npm ERR! code ERESOLVE unable to resolve dependency tree")])


def rust_borrow_checker() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("New Tab"))
    s.desk("term", "alacritty", "~/tokenizer")
    s.desk("code", "code", vscode("lexer.rs", "tokenizer"))
    s.type(40, cps=3).keys("ctrl+s").focus("term")
    command(s, "cargo build", 12, "~/tokenizer")
    start = s.now
    s.scroll(8, 0.5).focus("code").type(15, cps=2).keys("ctrl+s").focus("term")
    command(s, "cargo build", 10, "~/tokenizer")
    s.wait(8).focus("web")
    search(s, firefox(google("rust cannot borrow as mutable because it is also borrowed as immutable loop")))
    evidence = s.now
    s.scroll(8).title(firefox("E0502 - Error codes index")).scroll(25, 0.3)
    s.keys("alt+Left", then=1.0).title(firefox(stackoverflow(
        "Cannot borrow as mutable because it is also borrowed as immutable", "rust"))).scroll(30, 0.4)
    s.focus("code").type(25, cps=2).keys("ctrl+s").focus("term")
    command(s, "cargo build", 12, "~/tokenizer")
    fixed = s.now
    s.focus("code").type(20, cps=3)
    return situation("rust_borrow_checker", "rust_error", "the borrow checker rejects a loop (E0502); rebuild, "
                     "search, error index", s,
                     [Need(start, evidence, fixed, FIX, "error[E0502]: cannot borrow as mutable")])


def rust_mismatched_types() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("std::string::String - Rust"))
    s.desk("term", "konsole", konsole("invoicer : zsh"))
    s.desk("code", "kate", "main.rs — Kate")
    s.type(30, cps=3).keys("ctrl+s").focus("term")
    command(s, "cargo run", 9, konsole("invoicer : zsh"), konsole("invoicer : cargo"))
    start = s.now
    s.scroll(6, 0.5).focus("code").type(10, cps=2).keys("ctrl+s").focus("term")
    command(s, "cargo run", 8, konsole("invoicer : zsh"), konsole("invoicer : cargo"))
    s.focus("web").keys("ctrl+t", then=0.5).title(firefox("New Tab"), then=0.5)
    search(s, firefox(duckduckgo("rust error[E0308]: mismatched types expected &str found String")))
    evidence = s.now
    s.scroll(6).title(firefox("Converting String to &str - help - The Rust Programming Language Forum"))
    s.scroll(30, 0.4).focus("code").type(12, cps=2).keys("ctrl+s").focus("term")
    command(s, "cargo run", 8, konsole("invoicer : zsh"), konsole("invoicer : cargo"))
    fixed = s.now
    s.wait(6).focus("code").type(20, cps=3)
    return situation("rust_mismatched_types", "rust_error", "E0308 mismatched types in Kate and Konsole; "
                     "DuckDuckGo, a forum thread", s,
                     [Need(start, evidence, fixed, FIX, "error[E0308]: mismatched types")])


def go_nil_pointer() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("New Tab"))
    s.desk("term", "gnome-terminal", "alice@laptop: ~/gateway")
    s.desk("code", "code", vscode("handler.go", "gateway"))
    s.type(35, cps=3).keys("ctrl+s").focus("term")
    command(s, "go run ./cmd/server", 6)
    start = s.now
    s.scroll(8, 0.5).focus("code").scroll(10, 0.4).focus("term")
    command(s, "go run ./cmd/server", 6)
    s.focus("web")
    search(s, firefox(google("panic: runtime error: invalid memory address or nil pointer dereference")))
    evidence = s.now
    s.scroll(8).title(firefox(stackoverflow("Invalid memory address or nil pointer dereference", "go")))
    s.scroll(30, 0.4).focus("code").type(20, cps=2).keys("ctrl+s").focus("term")
    command(s, "go run ./cmd/server", 20)
    fixed = s.now - 14
    s.focus("code").type(15, cps=3)
    return situation("go_nil_pointer", "go_error", "a Go server panics with a nil pointer dereference", s,
                     [Need(start, evidence, fixed, FIX, "panic: invalid memory address or nil pointer "
                                                        "dereference")])


def go_unknown_revision() -> Situation:
    s = Script()
    s.desk("web", "chromium", chromium("acme/kit: Shared Go packages - GitHub"))
    s.desk("term", "konsole", konsole("billing : zsh"))
    s.scroll(15, 0.3).focus("term")
    command(s, "go get github.com/acme/kit@v1.4.0", 6, konsole("billing : zsh"), konsole("billing : go"))
    start = s.now
    s.wait(6)
    command(s, "go get github.com/acme/kit@v1.4.0", 6, konsole("billing : zsh"), konsole("billing : go"))
    s.focus("web").keys("ctrl+t", then=0.5).title(chromium("New Tab"), then=0.5)
    search(s, chromium(google("go get reading go.mod at revision unknown revision private repo")))
    evidence = s.now
    s.scroll(8).title(chromium("Go Modules Reference - The Go Programming Language")).scroll(40, 0.4)
    s.focus("term")
    command(s, "go env -w GOPRIVATE=github.com/acme", 1, konsole("billing : zsh"), konsole("billing : go"))
    command(s, "go get github.com/acme/kit@v1.4.0", 8, konsole("billing : zsh"), konsole("billing : go"))
    fixed = s.now
    s.wait(8)
    return situation("go_unknown_revision", "go_error", "go get fails on a private module revision", s,
                     [Need(start, evidence, fixed, FIX, "go: unknown revision v1.4.0")])


def java_npe_intellij() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("New Tab"))
    s.desk("ide", "intellij", "billing-service – OrderService.java")
    s.type(35, cps=3).keys("shift+F10", then=12.0)
    start = s.now
    s.scroll(8, 0.5).keys("ctrl+b", then=1.0).title("billing-service – Customer.java").scroll(8, 0.4)
    s.keys("shift+F10", then=10.0).focus("web")
    search(s, firefox(google("java.lang.NullPointerException: Cannot invoke \"String.length()\" because "
                             "\"name\" is null")))
    evidence = s.now
    s.scroll(8).title(firefox(stackoverflow("What is a NullPointerException, and how do I fix it?", "java")))
    s.scroll(35, 0.4).focus("ide").type(15, cps=2).keys("shift+F10", then=12.0)
    fixed = s.now
    s.type(20, cps=3)
    return situation("java_npe_intellij", "java_error", "a NullPointerException in IntelliJ's run; rerun, "
                     "search", s, [Need(start, evidence, fixed, FIX, "java.lang.NullPointerException")])


def java_maven_dependency() -> Situation:
    s = Script()
    s.desk("web", "firefox", firefox("Maven – Introduction to the Dependency Mechanism"))
    s.desk("code", "code", vscode("pom.xml", "inventory"))
    s.desk("term", "gnome-terminal", "alice@laptop: ~/inventory")
    command(s, "mvn -q package", 25)
    start = s.now
    s.scroll(10, 0.5).focus("code").type(10, cps=2).keys("ctrl+s").focus("term")
    command(s, "mvn -q package", 20)
    s.focus("web").keys("ctrl+t", then=0.5).title(firefox("New Tab"), then=0.5)
    search(s, firefox(google("Could not resolve dependencies for project Could not find artifact")))
    evidence = s.now
    s.scroll(8).title(firefox(stackoverflow("Maven could not resolve dependencies, artifacts could not be "
                                            "resolved", "java"))).scroll(35, 0.4)
    s.focus("code").type(15, cps=2).keys("ctrl+s").focus("term")
    command(s, "mvn -q package", 25)
    fixed = s.now
    s.wait(8)
    return situation("java_maven_dependency", "java_error", "maven cannot resolve a dependency; edit pom.xml, "
                     "rebuild, search", s,
                     [Need(start, evidence, fixed, FIX, "Could not resolve dependencies for project")])


SITUATIONS = (python_import_torch, python_pandas_keyerror, python_django_typeerror, node_cannot_find_module,
              node_undefined_map, node_npm_eresolve, rust_borrow_checker, rust_mismatched_types, go_nil_pointer,
              go_unknown_revision, java_npe_intellij, java_maven_dependency)
