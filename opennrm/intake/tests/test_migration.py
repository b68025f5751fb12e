"""The public report moved from identification to intake without losing a row, and back again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("identification", "0003_public_reports_transnational")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _leaves():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_a_filled_database_migrates_forward_and_back_with_its_public_reports():
    leaves = _leaves()
    try:
        old = _migrate(BEFORE)
        key = old.get_model("core", "DataKey").objects.create(wrapped=b"k")
        old.get_model("identification", "PublicReport").objects.create(
            code="RS-R-2026-000001",
            language="en",
            municipality="Novi Sad",
            data_key=key,
            ciphertext=b"sealed",
        )

        new = _migrate(leaves)
        moved = new.get_model("intake", "PublicReport").objects.get(code="RS-R-2026-000001")
        assert (moved.municipality, bytes(moved.ciphertext), moved.data_key_id) == (
            "Novi Sad",
            b"sealed",
            key.pk,
        )
        assert "intake_publicreport" in connection.introspection.table_names()

        back = _migrate(BEFORE)
        again = back.get_model("identification", "PublicReport").objects.get(code="RS-R-2026-000001")
        assert again.municipality == "Novi Sad"
        assert "identification_publicreport" in connection.introspection.table_names()
    finally:
        _migrate(leaves)
