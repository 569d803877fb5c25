"""``tessera serve`` (run the coordination service) and ``tessera db upgrade`` (migrate its database)."""

from __future__ import annotations

import argparse
from typing import Any

from tessera_cli.output import EXIT_OK, fail, print_json


def add_parser(subparsers: Any) -> None:
    """Register ``tessera serve`` and ``tessera db``."""
    serve = subparsers.add_parser(
        "serve",
        help="run the Tessera service (SQLite in TESSERA_HOME by default)",
        description="Run the coordination service. On a new database it creates the admin team and prints an "
        "admin API key once (or installs TESSERA_BOOTSTRAP_ADMIN_KEY).",
    )
    serve.add_argument("--host", help="interface to listen on (default: TESSERA_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: TESSERA_PORT or 8000)")
    serve.add_argument("--database-url", help="SQLAlchemy URL (default: TESSERA_DATABASE_URL or SQLite)")
    serve.set_defaults(func=_serve)

    db = subparsers.add_parser("db", help="database maintenance (migrations)")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION")
    upgrade = db_sub.add_parser("upgrade", help="migrate the database to this version of Tessera")
    upgrade.add_argument("--database-url", help="SQLAlchemy URL (default: TESSERA_DATABASE_URL or SQLite)")
    upgrade.add_argument("--json", action="store_true", help="print the result as JSON")
    upgrade.set_defaults(func=_upgrade)
    current = db_sub.add_parser("current", help="show the database's migration revision")
    current.add_argument("--database-url", help="SQLAlchemy URL (default: TESSERA_DATABASE_URL or SQLite)")
    current.add_argument("--json", action="store_true", help="print the result as JSON")
    current.set_defaults(func=_current)
    db.set_defaults(func=lambda args: db.print_help() or 2)


def _settings(args: argparse.Namespace, **extra: Any) -> Any:
    from pydantic import ValidationError

    from service.settings import Settings

    overrides = {
        k: v
        for k, v in {"database_url": getattr(args, "database_url", None), **extra}.items()
        if v is not None
    }
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"TESSERA_{'_'.join(str(p) for p in e['loc']).upper() or 'SETTINGS'}: {e['msg']}"
            for e in exc.errors()
        )
        fail(f"invalid configuration: {problems}")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from service.app import create_app
    from service.bootstrap import NotMigratedError, prepare_database
    from service.db import Database

    settings = _settings(args, host=args.host, port=args.port)
    db = Database(settings)
    try:
        prepare_database(db, settings)
    except NotMigratedError as exc:
        fail(str(exc))
    except SQLAlchemyError as exc:
        fail(
            f"cannot use the database {_safe_url(settings.database_url)}: {exc.__class__.__name__}: {exc.orig or exc}"
        )
    finally:
        db.dispose()
    print(
        f"Tessera on http://{settings.host}:{settings.port}  (database: {_safe_url(settings.database_url)})",
        flush=True,
    )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level)
    return EXIT_OK


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from service.db import Database
    from service.migrate import current_revision, head_revision, upgrade

    settings = _settings(args)
    db = Database(settings)
    try:
        before = current_revision(db.write_engine)
        upgrade(db.write_engine)
        after = current_revision(db.write_engine)
    except SQLAlchemyError as exc:
        fail(
            f"cannot migrate {_safe_url(settings.database_url)}: {exc.__class__.__name__}: {exc.orig or exc}"
        )
    finally:
        db.dispose()
    result = {
        "database": _safe_url(settings.database_url),
        "from": before,
        "to": after,
        "head": head_revision(),
    }
    if args.json:
        print_json(result)
    elif before == after:
        print(f"{result['database']} is already at {after} (up to date)")
    else:
        print(f"{result['database']}: migrated {before or 'empty'} -> {after}")
    return EXIT_OK


def _current(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from service.db import Database
    from service.migrate import current_revision, head_revision

    settings = _settings(args)
    db = Database(settings)
    try:
        revision = current_revision(db.write_engine)
    except SQLAlchemyError as exc:
        fail(f"cannot read {_safe_url(settings.database_url)}: {exc.__class__.__name__}: {exc.orig or exc}")
    finally:
        db.dispose()
    result = {"database": _safe_url(settings.database_url), "revision": revision, "head": head_revision()}
    if args.json:
        print_json(result)
    else:
        state = "up to date" if revision == result["head"] else "run `tessera db upgrade`"
        print(f"{result['database']}: {revision or 'empty'} (head {result['head']}; {state})")
    return EXIT_OK
