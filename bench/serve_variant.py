"""`slskit serve` with the test-configuration changes the bench proposes, as an experiment.

    python -m bench.serve_variant --port 0 --db FILE [--fast-hash] [--cache-static]

The shared code is not changed: this wraps `mock_portal.server.serve` the way the proposed
options would (see bench/README.md, "Where the time goes"). --fast-hash stores and checks
passwords with pbkdf2:sha256 at 1000 rounds instead of scrypt; --cache-static lets the
browser keep /static/ (the one stylesheet) instead of refetching it on every page.
"""
import argparse
import sys

FAST_HASH = "pbkdf2:sha256:1000"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.serve_variant")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--db", required=True)
    parser.add_argument("--enable-test-hooks", action="store_true")
    parser.add_argument("--fast-hash", action="store_true")
    parser.add_argument("--cache-static", action="store_true")
    args = parser.parse_args(argv)

    import mock_portal
    from mock_portal.server import serve

    if args.cache_static:
        from flask import request
        stock = mock_portal._security_headers

        def cached_static(response):
            if request.path.startswith("/static/"):
                response.headers["Cache-Control"] = "public, max-age=3600"
            return stock(response)
        mock_portal._security_headers = cached_static  # looked up when create_app runs
    extra = {"PASSWORD_HASH_METHOD": FAST_HASH} if args.fast_hash else None
    return serve(args.host, args.port, args.db, test_hooks=args.enable_test_hooks, extra_config=extra)


if __name__ == "__main__":
    sys.exit(main())
