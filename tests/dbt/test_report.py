"""The human summary: one line per model, long runs of unchanged models collapsed, totals at the end."""

from __future__ import annotations

from tessera_dbt.delivery import MAX_UNCHANGED_LISTED, Outcome, Report


def test_summary_lists_models_and_totals() -> None:
    report = Report(
        "publish",
        header="Tessera publish of dbt project shop: 2 model(s)",
        outcomes=[
            Outcome("customers", "db.main.customers", "published", "1.1.0 (was 1.0.0)"),
            Outcome(
                "orders",
                "db.main.orders",
                "proposed",
                "proposal p1, awaiting acknowledgment from analytics",
                changes=["column 'status' was removed"],
            ),
        ],
        warnings=["payments: column(s) without data_type accept any value in the contract: note"],
    )
    assert report.lines == [
        "Tessera publish of dbt project shop: 2 model(s)",
        "  warning: payments: column(s) without data_type accept any value in the contract: note",
        "  published       customers -> db.main.customers  1.1.0 (was 1.0.0)",
        "  proposed        orders -> db.main.orders  proposal p1, awaiting acknowledgment from analytics\n"
        "      - column 'status' was removed",
        "Totals: 1 published, 1 proposed",
    ]


def test_many_unchanged_models_are_collapsed_but_kept_in_json() -> None:
    n = MAX_UNCHANGED_LISTED + 1
    outcomes = [Outcome(f"m{i}", f"db.main.m{i}", "unchanged", "1.0.0") for i in range(n)]
    outcomes.append(Outcome("changed", "db.main.changed", "published", "1.1.0"))
    report = Report("publish", outcomes=outcomes)
    lines = report.lines
    assert lines[0].startswith("  published       changed")
    assert f"{n} more model(s), not listed" in lines[1]
    assert lines[-1] == f"Totals: {n} unchanged, 1 published"
    assert len(report.to_dict()["models"]) == n + 1


def test_failure_is_the_last_line() -> None:
    report = Report(
        "check",
        errors=["x: declares no columns"],
        exit_code=1,
        failure="tessera_check: 1 model(s) are not cleared",
    )
    assert report.lines[-2:] == ["Totals: 1 error", "tessera_check: 1 model(s) are not cleared"]
