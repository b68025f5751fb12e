"""Indicator sets load and validate; the screening rules suggest what the ILO/EC and UNODC guidance implies.

Plain functions: no database. The rules only suggest; these tests pin down what they suggest and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opennrm.identification import indicators
from opennrm.identification.indicators import (
    DEFAULT_DIRECTORY,
    Evaluation,
    IndicatorSetError,
    UnknownIndicatorSet,
    dimension_positive,
    evaluate,
    explain,
    get_set,
    latest,
    load_sets,
)
from opennrm.lib.scripts import has_cyrillic

SHIPPED = sorted(DEFAULT_DIRECTORY.glob("*.toml"))


def labour() -> indicators.IndicatorSet:
    return get_set("labour", "2026.1")


def yes(*ids: str) -> dict[str, str]:
    return dict.fromkeys(ids, "yes")


# --- the shipped files -----------------------------------------------------------------------------


def test_the_seven_sets_of_version_2026_1_are_shipped():
    codes = {code for code, version in load_sets() if version == "2026.1"}
    assert codes == {"general", "labour", "forced_labour", "sexual", "begging", "criminality", "child"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_file_loads_and_validates_on_its_own(path: Path):
    indicator_set = indicators.parse_set(path)
    assert path.name == f"{indicator_set.code}@{indicator_set.version}.toml"
    assert indicator_set.source and indicator_set.licence
    assert indicator_set.verified or indicator_set.verify_note


def test_the_labour_set_has_67_items_in_six_dimensions_of_10_10_16_9_15_7():
    indicator_set = labour()
    assert len(indicator_set.items) == 67
    sizes = [len(indicator_set.items_of(d.id)) for d in indicator_set.dimensions]
    assert [d.id for d in indicator_set.dimensions] == ["DR", "CR", "VR", "EX", "CD", "VD"]
    assert sizes == [10, 10, 16, 9, 15, 7]
    assert indicator_set.rule == "delphi"


def test_the_count_sets_have_the_documented_number_of_items():
    assert len(get_set("general", "2026.1").items) == 32
    assert len(get_set("child", "2026.1").items) == 16
    assert len(get_set("forced_labour", "2026.1").items) == 11


def test_the_child_set_flags_its_five_context_indicators():
    child = get_set("child", "2026.1")
    assert [i.id for i in child.items if i.context] == ["UN-C12", "UN-C13", "UN-C14", "UN-C15", "UN-C16"]
    assert child.applies_to == "child"


def test_count_sets_carry_thresholds_and_delphi_sets_do_not():
    for indicator_set in load_sets().values():
        if indicator_set.rule == "count":
            assert 1 <= indicator_set.gather_at <= indicator_set.refer_at
        else:
            assert indicator_set.refer_at is None and indicator_set.gather_at is None


def test_labour_items_point_to_existing_ilo_11_indicators():
    ilo_ids = {i.id for i in get_set("forced_labour", "2026.1").items}
    refs = {ref for item in labour().items for ref in item.ilo11}
    assert refs and refs <= ilo_ids
    assert labour().item("DR-01").ilo11 == ("ILO-02",)


def test_two_labour_items_do_not_apply_to_children():
    assert [i.id for i in labour().items if not i.applies(is_child=True)] == ["VR-07", "EX-06"]


def test_forced_tasks_or_clients_is_strong_in_the_sexual_set_and_medium_in_the_labour_set():
    sexual = get_set("sexual", "2026.1")
    assert sexual.item("CD-06").strength == "S"
    assert labour().item("CD-06").strength == "M"
    assert not sexual.verified and "WCMS_105023" in sexual.verify_note


def test_begging_and_criminality_each_have_one_key_item():
    assert [i.id for i in get_set("begging", "2026.1").items if i.key] == ["BG-07"]
    assert [i.id for i in get_set("criminality", "2026.1").items if i.key] == ["FC-03"]


def test_the_unodc_sexual_set_refers_on_coercion_alone_and_gathers_more_on_one_soft_sign():
    unodc = get_set("sexual", "2026.2")
    assert latest("sexual").version == "2026.2" and unodc.verified
    assert [i.id for i in unodc.items if i.key] == ["SX-12", "SX-16"]
    assert evaluate(unodc, yes("SX-16"), is_child=False).recommendation == "refer"
    assert evaluate(unodc, yes("SX-05"), is_child=False).recommendation == "gather_more"
    assert evaluate(unodc, yes("SX-04", "SX-05", "SX-10"), is_child=False).recommendation == "refer"
    assert evaluate(unodc, {}, is_child=False).recommendation == "no_indication"


def test_get_set_with_an_unknown_version_raises_unknown_indicator_set():
    with pytest.raises(UnknownIndicatorSet):
        get_set("labour", "1999.1")
    with pytest.raises(LookupError):
        get_set("astrology", "2026.1")


def test_latest_picks_the_highest_version_and_available_lists_one_per_code():
    assert latest("labour").version == "2026.1"
    with pytest.raises(UnknownIndicatorSet):
        latest("astrology")
    codes = [s.code for s in indicators.available()]
    assert codes == sorted(set(codes))


def test_versions_compare_as_numbers_not_as_text():
    assert indicators.version_key("2026.10") > indicators.version_key("2026.9")


# --- labels ------------------------------------------------------------------------------------------


def test_labels_come_in_english_cyrillic_and_latin_serbian():
    indicator_set = labour()
    assert indicator_set.item_label("DR-01", "en").startswith("Deceived about the nature")
    assert indicator_set.item_label("DR-01", "sr") == "Обмана о природи посла, месту рада или послодавцу"
    assert indicator_set.item_label("DR-01", "sr-latn") == "Obmana o prirodi posla, mestu rada ili poslodavcu"
    assert indicator_set.label("sr-latn") == "Radna eksploatacija (operativni indikatori MOR/EK)"
    assert indicator_set.item_label("DR-01", "de") == indicator_set.item_label("DR-01", "en")


def test_every_sr_latn_label_is_a_latin_transliteration_without_cyrillic_characters():
    for indicator_set in load_sets().values():
        texts = [indicator_set.label("sr-latn")]
        texts += [d.label("sr-latn") for d in indicator_set.dimensions]
        texts += [i.label("sr-latn") for i in indicator_set.items]
        for text in texts:
            assert text and not has_cyrillic(text), (indicator_set.code, text)


def test_quoted_serbian_words_are_transliterated_too():
    # The transliteration library skips quoted words; our labels quote Serbian ones.
    assert get_set("child", "2026.1").item_label("UN-C07", "sr-latn") == (
        "Jede odvojeno od ostalih članova „porodice”"
    )


def test_every_sr_label_is_cyrillic_and_every_en_label_is_not():
    for indicator_set in load_sets().values():
        for item in indicator_set.items:
            assert has_cyrillic(item.label("sr")), (indicator_set.code, item.id)
            assert not has_cyrillic(item.label("en")), (indicator_set.code, item.id)


# --- dimension positivity ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("strong", "medium", "weak", "positive"),
    [
        (2, 0, 0, True),
        (1, 1, 0, True),
        (1, 0, 1, True),
        (0, 3, 0, True),
        (0, 2, 1, True),
        (1, 0, 0, False),
        (0, 2, 0, False),
        (0, 1, 2, False),
        (0, 0, 5, False),
        (0, 0, 0, False),
    ],
)
def test_dimension_positivity_follows_the_ilo_ec_combination_rule(strong, medium, weak, positive):
    assert dimension_positive(strong, medium, weak) is positive


def test_one_strong_indicator_alone_does_not_make_a_dimension_positive():
    result = evaluate(labour(), yes("DR-01"), is_child=False)
    assert result.positive_dimensions == []
    assert "dimension_not_positive" in result.reason_codes()


def test_one_strong_and_one_weak_make_a_dimension_positive():
    result = evaluate(labour(), yes("DR-01", "DR-10"), is_child=False)
    assert result.positive_dimensions == ["DR"]


def test_two_medium_indicators_alone_do_not_make_a_dimension_positive():
    result = evaluate(labour(), yes("DR-02", "DR-03"), is_child=False)
    assert result.positive_dimensions == []


def test_two_medium_and_one_weak_make_a_dimension_positive():
    result = evaluate(labour(), yes("VR-01", "VR-02", "VR-15"), is_child=False)
    assert result.positive_dimensions == ["VR"]


def test_three_medium_indicators_make_a_dimension_positive():
    result = evaluate(labour(), yes("DR-02", "DR-03", "DR-04"), is_child=False)
    assert result.positive_dimensions == ["DR"]


def test_two_strong_indicators_make_a_dimension_positive():
    result = evaluate(labour(), yes("CD-01", "CD-02"), is_child=False)
    assert result.positive_dimensions == ["CD"]


def test_indicators_in_different_dimensions_do_not_add_up():
    # One strong in DR and one medium in CR: neither dimension is positive.
    result = evaluate(labour(), yes("DR-01", "CR-03"), is_child=False)
    assert result.positive_dimensions == []


# --- the adult rule ----------------------------------------------------------------------------------------

WORKED_EXAMPLE = ("DR-01", "DR-08", "EX-01", "EX-04", "CD-01", "CD-14")


def test_worked_example_deceived_exploited_and_coerced_adult_is_referred():
    # Deceived about the nature of the job and wages; excessive hours and low pay; documents confiscated
    # and wages withheld: DR, EX and CD positive, so the adult rule is met.
    result = evaluate(labour(), yes(*WORKED_EXAMPLE), is_child=False)
    assert result.positive_dimensions == ["DR", "EX", "CD"]
    assert result.recommendation == "refer"
    assert "adult_rule_met" in result.reason_codes()
    assert result.met == [
        ("DR-01", "S"),
        ("DR-08", "M"),
        ("EX-01", "S"),
        ("EX-04", "M"),
        ("CD-01", "S"),
        ("CD-14", "M"),
    ]


def test_abuse_of_vulnerability_at_destination_can_stand_in_for_coercion():
    answers = yes("DR-01", "DR-08", "EX-01", "EX-04", "VD-01", "VD-02", "VD-03")
    result = evaluate(labour(), answers, is_child=False)
    assert result.recommendation == "refer"
    reason = next(r for r in result.reasons if r.code == "adult_rule_met")
    assert reason.params["means"] == ["VD"]


def test_without_coercion_or_vulnerability_at_destination_an_adult_is_not_referred():
    result = evaluate(labour(), yes("DR-01", "DR-08", "EX-01", "EX-04"), is_child=False)
    assert result.recommendation == "gather_more"
    assert "missing_means" in result.reason_codes()
    assert "adult_rule_met" not in result.reason_codes()


def test_a_near_miss_in_the_coercion_dimension_is_not_enough_for_an_adult():
    # Only CD-14 (medium): coercion not positive.
    result = evaluate(labour(), yes("DR-01", "DR-08", "EX-01", "EX-04", "CD-14"), is_child=False)
    assert result.recommendation == "gather_more"
    assert "missing_means" in result.reason_codes()


def test_without_exploitation_an_adult_is_not_referred():
    result = evaluate(labour(), yes("DR-01", "DR-08", "CD-01", "CD-14"), is_child=False)
    assert result.recommendation == "gather_more"
    assert "missing_exploitation" in result.reason_codes()


def test_without_recruitment_an_adult_is_not_referred():
    result = evaluate(labour(), yes("EX-01", "EX-04", "CD-01", "CD-14"), is_child=False)
    assert result.recommendation == "gather_more"
    assert "missing_recruitment" in result.reason_codes()


# --- the child rule ------------------------------------------------------------------------------------------


def test_recruitment_and_exploitation_without_coercion_refer_a_child_but_not_an_adult():
    answers = yes("DR-01", "DR-08", "EX-01", "EX-04")
    child = evaluate(labour(), answers, is_child=True)
    adult = evaluate(labour(), answers, is_child=False)
    assert child.recommendation == "refer"
    assert "child_rule_met" in child.reason_codes()
    assert "missing_means" not in child.reason_codes()
    assert adult.recommendation != "refer"


def test_for_a_child_one_recruitment_indicator_establishes_the_act():
    # DR-02 alone does not make DR positive, but for a child the act of recruitment is enough.
    result = evaluate(labour(), yes("DR-02", "EX-01", "EX-04"), is_child=True)
    assert result.recommendation == "refer"
    reason = next(r for r in result.reasons if r.code == "child_rule_met")
    assert reason.params == {"recruitment": ["DR"], "exploitation": ["EX"]}


def test_a_child_without_exploitation_is_not_referred_by_the_rule():
    result = evaluate(labour(), yes("DR-01", "DR-08"), is_child=True)
    assert result.recommendation == "gather_more"
    assert "missing_exploitation" in result.reason_codes()


def test_children_are_assessed_with_the_child_strengths():
    # DR-10 (deceived about education) is weak for adults and strong for children.
    adult = evaluate(labour(), yes("DR-10", "DR-02"), is_child=False)
    child = evaluate(labour(), yes("DR-10", "DR-02"), is_child=True)
    assert adult.met == [("DR-02", "M"), ("DR-10", "W")]
    assert child.met == [("DR-02", "M"), ("DR-10", "S")]
    assert adult.positive_dimensions == []
    assert child.positive_dimensions == ["DR"]


def test_items_outside_the_childrens_list_are_ignored_for_a_child():
    result = evaluate(labour(), yes("EX-06", "EX-02"), is_child=True)
    assert result.met == [("EX-02", "M")]
    assert result.applicable_count == 65
    assert "not_for_children" in result.reason_codes()
    assert evaluate(labour(), yes("EX-06"), is_child=False).met == [("EX-06", "M")]


def test_the_child_set_cannot_screen_an_adult():
    with pytest.raises(ValueError, match="child"):
        evaluate(get_set("child", "2026.1"), yes("UN-C01"), is_child=False)


# --- unknown answers ---------------------------------------------------------------------------------------------


def test_unknown_is_counted_neither_as_yes_nor_as_no():
    indicator_set = labour()
    all_no = {i.id: "no" for i in indicator_set.items}
    with_unknown = dict(all_no, **{"DR-01": "unknown", "DR-08": "unknown"})
    no_result = evaluate(indicator_set, all_no, is_child=False)
    unknown_result = evaluate(indicator_set, with_unknown, is_child=False)
    assert no_result.unknown_count == 0
    assert unknown_result.unknown_count == 2
    assert unknown_result.met == [] and unknown_result.positive_dimensions == []
    assert no_result.recommendation == unknown_result.recommendation == "no_indication"


def test_an_unanswered_item_counts_as_unknown():
    result = evaluate(labour(), {"DR-01": "no"}, is_child=False)
    assert result.unknown_count == 66


def test_one_medium_indicator_with_most_items_answered_gives_no_indication():
    answers = {i.id: "no" for i in labour().items}
    answers["VR-06"] = "yes"
    result = evaluate(labour(), answers, is_child=False)
    assert result.recommendation == "no_indication"
    assert "many_unknown" not in result.reason_codes()


def test_one_medium_indicator_with_most_items_unknown_asks_for_more_information():
    result = evaluate(labour(), yes("VR-06"), is_child=False)
    assert result.recommendation == "gather_more"
    assert "many_unknown" in result.reason_codes()


def test_nothing_met_gives_no_indication_and_says_when_most_answers_are_unknown():
    result = evaluate(labour(), {}, is_child=False)
    assert result.recommendation == "no_indication"
    assert result.reason_codes() == ["no_indicator_met", "many_unknown"]


def test_one_strong_indicator_asks_for_more_information():
    answers = {i.id: "no" for i in labour().items}
    answers["CD-04"] = "yes"
    assert evaluate(labour(), answers, is_child=False).recommendation == "gather_more"


# --- invalid answers -------------------------------------------------------------------------------------------------


def test_an_unknown_item_id_raises_a_value_error_naming_the_item():
    with pytest.raises(ValueError, match="XX-99"):
        evaluate(labour(), {"XX-99": "yes"}, is_child=False)


def test_an_answer_outside_yes_no_unknown_raises_a_value_error_naming_the_item():
    with pytest.raises(ValueError, match="DR-01") as error:
        evaluate(labour(), {"DR-01": "maybe"}, is_child=False)
    assert "maybe" in str(error.value)


# --- count sets ------------------------------------------------------------------------------------------------------


def test_count_set_refers_at_its_threshold_and_asks_for_more_below_it():
    general = get_set("general", "2026.1")
    assert general.refer_at == 3 and general.gather_at == 1
    assert evaluate(general, yes("UN-G02", "UN-G05", "UN-G22"), is_child=False).recommendation == "refer"
    two = evaluate(general, yes("UN-G02", "UN-G05"), is_child=False)
    assert two.recommendation == "gather_more"
    assert two.met == [("UN-G02", None), ("UN-G05", None)]
    assert evaluate(general, {"UN-G02": "no"}, is_child=False).recommendation == "no_indication"


def test_a_key_indicator_alone_refers():
    ilo = get_set("forced_labour", "2026.1")
    result = evaluate(ilo, yes("ILO-07"), is_child=False)
    assert result.recommendation == "refer"
    assert "key_indicator" in result.reason_codes()
    assert evaluate(ilo, yes("ILO-04"), is_child=False).recommendation == "gather_more"
    assert evaluate(ilo, yes("ILO-04", "ILO-11"), is_child=False).recommendation == "refer"


def test_the_child_count_set_refers_at_two_signs():
    child = get_set("child", "2026.1")
    assert evaluate(child, yes("UN-C04", "UN-C05"), is_child=True).recommendation == "refer"
    assert evaluate(child, yes("UN-C04"), is_child=True).recommendation == "gather_more"


# --- stored form and explanation -------------------------------------------------------------------------------------


def test_as_dict_is_json_serialisable_and_round_trips():
    result = evaluate(labour(), yes(*WORKED_EXAMPLE), is_child=False)
    stored = json.loads(json.dumps(result.as_dict()))
    assert stored["set"] == "labour" and stored["version"] == "2026.1"
    assert stored["recommendation"] == "refer"
    assert Evaluation.from_dict(stored) == result


def test_explain_gives_sentences_that_name_the_dimensions():
    result = evaluate(labour(), yes(*WORKED_EXAMPLE), is_child=False)
    sentences = explain(result, labour(), "en")
    assert sentences[0].startswith("Suggestion: refer")
    assert all(isinstance(s, str) and s.strip() for s in sentences)
    text = " ".join(sentences)
    assert (
        "Deceptive recruitment (incl. transfer and transport) is positive: 1 strong indicator and 1 medium"
        in text
    )
    assert "Coercion at destination" in text and "Exploitative conditions" in text


def test_explain_names_the_missing_means_for_an_adult():
    result = evaluate(labour(), yes("DR-01", "DR-08", "EX-01", "EX-04"), is_child=False)
    text = " ".join(explain(result, labour(), "en"))
    assert "Coercion at destination" in text and "Abuse of vulnerability at destination" in text


def test_explain_uses_serbian_dimension_titles_in_either_script():
    result = evaluate(labour(), yes(*WORKED_EXAMPLE), is_child=False)
    assert "Обмањујуће врбовање" in " ".join(explain(result, labour(), "sr"))
    assert "Obmanjujuće vrbovanje" in " ".join(explain(result, labour(), "sr-latn"))


def test_explain_for_a_count_set_names_key_indicators():
    ilo = get_set("forced_labour", "2026.1")
    text = " ".join(explain(evaluate(ilo, yes("ILO-09"), is_child=False), ilo, "en"))
    assert "Debt bondage" in text


def test_explain_refuses_an_evaluation_of_another_set():
    result = evaluate(labour(), yes("DR-01"), is_child=False)
    with pytest.raises(ValueError):
        explain(result, get_set("sexual", "2026.1"), "en")


# --- malformed files ---------------------------------------------------------------------------------------------------

GOOD = """
code = "demo"
version = "1.0"
rule = "delphi"
applies_to = "any"
forms = ["labour"]
source = "test"
licence = "test"
verified = true
[title]
en = "Demo"
sr = "Демо"
[[dimensions]]
id = "DR"
kind = "recruitment"
[dimensions.title]
en = "Recruitment"
sr = "Врбовање"
[[dimensions]]
id = "EX"
kind = "exploitation"
[dimensions.title]
en = "Exploitation"
sr = "Експлоатација"
[[dimensions]]
id = "CD"
kind = "coercion"
[dimensions.title]
en = "Coercion"
sr = "Принуда"
[[items]]
id = "DR-01"
dimension = "DR"
strength = "S"
[items.label]
en = "One"
sr = "Један"
[[items]]
id = "EX-01"
dimension = "EX"
strength = "M"
[items.label]
en = "Two"
sr = "Два"
"""


def write_set(tmp_path: Path, text: str, name: str = "demo@1.0.toml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_well_formed_file_in_another_directory_loads(tmp_path):
    sets = load_sets(write_set(tmp_path, GOOD))
    assert list(sets) == [("demo", "1.0")]


def test_a_missing_sr_label_raises_an_error_naming_the_file_and_item(tmp_path):
    bad = GOOD.replace('en = "Two"\nsr = "Два"', 'en = "Two"')
    with pytest.raises(IndicatorSetError, match=r"demo@1\.0\.toml: item EX-01 label: missing sr"):
        load_sets(write_set(tmp_path, bad))


def test_a_duplicate_item_id_raises_an_error_naming_the_item(tmp_path):
    bad = GOOD.replace('id = "EX-01"', 'id = "DR-01"')
    with pytest.raises(IndicatorSetError, match=r"demo@1\.0\.toml: duplicate item DR-01"):
        load_sets(write_set(tmp_path, bad))


def test_an_unknown_dimension_raises_an_error_naming_the_item(tmp_path):
    bad = GOOD.replace('dimension = "EX"', 'dimension = "XX"')
    with pytest.raises(IndicatorSetError, match=r"demo@1\.0\.toml: item EX-01: unknown dimension 'XX'"):
        load_sets(write_set(tmp_path, bad))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('strength = "M"', 'strength = "X"', "item EX-01: strength"),
        ('strength = "M"', 'strength = "M"\nchild_strength = "Q"', "item EX-01: child_strength"),
        ('strength = "M"', 'strenght = "M"', "item EX-01: unknown fields"),
        ('sr = "Два"', 'sr = "Dva"', "item EX-01 label: the sr text must be in Cyrillic"),
        ("verified = true", "verified = false", "verify_note"),
        ('rule = "delphi"', 'rule = "vibes"', "rule must be"),
        ('forms = ["labour"]', 'forms = ["tourism"]', "forms"),
        ('kind = "coercion"', 'kind = "recruitment"', "coercion or vulnerability dimension"),
        ('version = "1.0"', 'version = "2.0"', "match the file name"),
    ],
)
def test_malformed_files_are_refused_with_a_message_naming_the_problem(tmp_path, old, new, message):
    with pytest.raises(IndicatorSetError, match=message):
        load_sets(write_set(tmp_path, GOOD.replace(old, new, 1)))


def test_a_count_set_without_thresholds_is_refused(tmp_path):
    count = """
code = "tally"
version = "1.0"
rule = "count"
applies_to = "any"
forms = ["begging"]
source = "test"
licence = "test"
verified = true
[title]
en = "Tally"
sr = "Збир"
[[items]]
id = "T-01"
[items.label]
en = "One"
sr = "Један"
"""
    with pytest.raises(
        IndicatorSetError, match=r"tally@1\.0\.toml: a count set needs refer_at and gather_at"
    ):
        load_sets(write_set(tmp_path, count, "tally@1.0.toml"))
    fixed_dir = tmp_path / "fixed"
    fixed_dir.mkdir()
    fixed = count.replace("verified = true", "verified = true\nrefer_at = 1\ngather_at = 1")
    assert list(load_sets(write_set(fixed_dir, fixed, "tally@1.0.toml"))) == [("tally", "1.0")]


def test_invalid_toml_is_refused_with_the_file_name(tmp_path):
    with pytest.raises(IndicatorSetError, match=r"demo@1\.0\.toml: not valid TOML"):
        load_sets(write_set(tmp_path, GOOD + "\n[[items]\n"))


def test_a_file_name_that_is_not_code_at_version_is_refused(tmp_path):
    with pytest.raises(IndicatorSetError, match="file name"):
        load_sets(write_set(tmp_path, GOOD, "demo.toml"))
