"""Cut a published API description down to the paths the gateway serves, keeping every schema
they reference (recursively) and the description's text unchanged; the source travels with it
in a top-level `x-subset-source` (schemathesis ignores x- keys). tests/specs/README.md says how
each subset here was made.

    git -C ib-rs show COMMIT:etc/swagger.json > full.json
    python tests/specs/extract.py full.json OUT.json --repo R --path P --commit C /tickle /logout ...
"""
import argparse
import hashlib
import json


def references(node, found):
    """Every local $ref under `node`."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            found.add(ref)
        for value in node.values():
            references(value, found)
    elif isinstance(node, list):
        for value in node:
            references(value, found)
    return found


def pointer(parts):
    return [part.replace("~1", "/").replace("~0", "~") for part in parts]


def subset(document, paths):
    kept = {key: value for key, value in document.items()
            if key not in ("paths", "components", "definitions", "parameters", "responses", "tags", "x-tagGroups")}
    missing = [p for p in paths if p not in document["paths"]]
    if missing:
        raise SystemExit(f"not in the description: {', '.join(missing)}")
    kept["paths"] = {p: document["paths"][p] for p in paths}
    todo, done = references(kept["paths"], set()), set()
    while todo:
        ref = todo.pop()
        if ref in done:
            continue
        done.add(ref)
        node = document
        for part in pointer(ref[2:].split("/")):
            node = node[part]
        references(node, todo)
    for ref in sorted(done):
        parts = pointer(ref[2:].split("/"))
        source, target = document, kept
        for part in parts[:-1]:
            source, target = source[part], target.setdefault(part, {})
        target[parts[-1]] = source[parts[-1]]
    return kept


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("full")
    parser.add_argument("out")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--repo", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--commit", required=True)
    args = parser.parse_args()
    with open(args.full, "rb") as f:
        raw = f.read()
    kept = subset(json.loads(raw), args.paths)
    source = {"repo": args.repo, "path": args.path, "commit": args.commit,
              "sha256": hashlib.sha256(raw).hexdigest(), "extracted_by": "tests/specs/extract.py",
              "paths": args.paths}
    with open(args.out, "w") as f:
        json.dump({"x-subset-source": source, **kept}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
