from decimal import Decimal as D

import pytest

from emissions.units import (
    UNITS,
    UnitConversionError,
    convert,
    convert_currency,
    parse_published_unit,
)


@pytest.mark.parametrize(
    ("quantity", "source", "target", "expected"),
    [
        (D("1500"), "kWh", "MWh", D("1.5")),
        (D("2"), "MWh", "kWh", D("2000")),
        (D("1"), "GJ", "kWh", D("1000000000") / D("3600000")),
        (D("3.6"), "MJ", "kWh", D("1")),
        (D("10"), "mmBtu", "GJ", D("10.5505585262")),
        (D("1"), "therm", "MJ", D("105.505585262")),
        (D("2.5"), "m3", "litre", D("2500")),
        (D("10"), "US_gallon", "litre", D("37.85411784")),
        (D("1"), "ccf", "scf", D("100")),
        (D("1000"), "scf", "m3", D("28.316846592")),
        (D("100"), "lb", "kg", D("45.359237")),
        (D("1"), "short_ton", "tonne", D("0.90718474")),
        (D("250"), "kg", "tonne", D("0.25")),
        (D("100"), "mile", "km", D("160.9344")),
        (D("10"), "passenger_mile", "passenger_km", D("16.09344")),
        (D("1"), "short_ton_mile", "tonne_km", D("1.459972318210560")),
        (D("3"), "vehicle_mile", "vehicle_km", D("4.828032")),
        (D("7"), "kWh_gross", "MWh_gross", D("0.007")),
        (D("1"), "GJ_net", "kWh_net", D("1000000000") / D("3600000")),
        (D("12"), "NOK", "NOK", D("12")),
    ],
)
def test_convert_gives_exact_decimal_results(quantity, source, target, expected):
    assert convert(quantity, source, target) == expected


def test_therm_is_the_100000_btu_it_therm_of_29_3071_kwh():
    assert convert(D("1"), "therm", "kWh").quantize(D("1E-10")) == D("29.3071070172")


def test_mmbtu_is_293_07107017_kwh():
    assert convert(D("1"), "mmBtu", "kWh").quantize(D("1E-8")) == D("293.07107017")


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("kWh_gross", "kWh_net"),
        ("kWh_gross", "kWh"),
        ("kWh", "kWh_net"),
        ("GJ_net", "GJ"),
        ("litre", "kg"),
        ("km", "passenger_km"),
        ("tonne_km", "tonne"),
        ("NOK", "EUR"),
        ("unit", "server_year"),
    ],
)
def test_convert_refuses_conversion_between_dimensions(source, target):
    with pytest.raises(UnitConversionError, match="Cannot convert"):
        convert(D("1"), source, target)


def test_convert_explains_that_gross_and_net_cv_differ():
    with pytest.raises(UnitConversionError, match="Gross and net calorific"):
        convert(D("1"), "kWh_gross", "kWh_net")


def test_convert_rejects_unknown_unit_by_name():
    with pytest.raises(UnitConversionError, match="Unknown unit 'furlong'"):
        convert(D("1"), "furlong", "km")


def test_convert_rejects_float_quantities():
    with pytest.raises(TypeError):
        convert(1.5, "kWh", "MWh")  # type: ignore[arg-type]


def test_unit_conversion_error_is_a_value_error():
    assert issubclass(UnitConversionError, ValueError)


def test_currency_converts_only_with_an_explicit_rate():
    assert convert_currency(D("100"), "EUR", "NOK", rate=D("11.65")) == D("1165.00")
    with pytest.raises(UnitConversionError):
        convert_currency(D("100"), "EUR", "kWh", rate=D("1"))
    with pytest.raises(UnitConversionError):
        convert_currency(D("100"), "EUR", "NOK", rate=D("0"))


def test_catalogue_has_the_required_codes_with_labels():
    required = [
        "kWh",
        "MWh",
        "GJ",
        "MJ",
        "therm",
        "mmBtu",
        "kWh_gross",
        "kWh_net",
        "GJ_gross",
        "GJ_net",
        "MWh_gross",
        "MWh_net",
        "litre",
        "m3",
        "US_gallon",
        "scf",
        "ccf",
        "kg",
        "tonne",
        "lb",
        "short_ton",
        "km",
        "mile",
        "passenger_km",
        "passenger_mile",
        "tonne_km",
        "short_ton_mile",
        "vehicle_km",
        "vehicle_mile",
        "room_night",
        "unit",
        "server_year",
        "NOK",
        "SEK",
        "DKK",
        "EUR",
        "USD",
        "GBP",
    ]
    for code in required:
        assert UNITS[code].code == code
        assert UNITS[code].label
        assert UNITS[code].dimension


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("kWh (Gross CV)", "kWh_gross"),
        ("kWh (Net CV)", "kWh_net"),
        ("kWh", "kWh"),
        ("litres", "litre"),
        ("Litres", "litre"),
        ("tonnes", "tonne"),
        ("kg", "kg"),
        ("km", "km"),
        ("miles", "mile"),
        ("passenger.km", "passenger_km"),
        ("tonne.km", "tonne_km"),
        ("cubic metres", "m3"),
        ("Room per night", "room_night"),
        ("GBP", "GBP"),
        ("GJ", "GJ"),
        ("mmBtu", "mmBtu"),
        ("scf", "scf"),
        ("gallon", "US_gallon"),
        ("short ton", "short_ton"),
        ("MWh", "MWh"),
        ("lb/MWh", "MWh"),
        ("(lb CO2 / MWh)".strip("()"), "MWh"),
        ("kg CO2 per mmBtu", "mmBtu"),
        ("vehicle-mile", "vehicle_mile"),
        ("short ton-mile", "short_ton_mile"),
        ("passenger-mile", "passenger_mile"),
        ("per FTE Working Hour", "fte_hour"),
    ],
)
def test_parse_published_unit_maps_publisher_labels(label, code):
    assert parse_published_unit(label) == code


@pytest.mark.parametrize("label", ["", "kg CO2e", "furlongs", "per bushel"])
def test_parse_published_unit_returns_none_for_unknown_labels(label):
    assert parse_published_unit(label) is None


def test_the_us_therm_is_105_4804_mj_and_not_the_uk_eu_therm():
    assert convert(D("1"), "therm_US", "MJ") == D("105.4804")
    assert convert(D("1"), "therm", "MJ") == D("105.505585262")
    # 100 000 US therms are 2 518.5262 MJ less than 100 000 UK/EU therms.
    difference = convert(D("100000"), "therm", "MJ") - convert(
        D("100000"), "therm_US", "MJ"
    )
    assert difference == D("2518.5262")
    assert convert(D("1"), "therm_US", "kWh") == D("105480400") / D("3600000")
    assert convert(D("1"), "therm_US", "kWh").quantize(D("1E-10")) == D("29.3001111111")
    # A US gas bill in therms against a factor per mmBtu (Btu_IT):
    # 105 480 400 / 1 055 055 852.62 mmBtu per US therm.
    assert convert(D("1"), "therm_US", "mmBtu") == D("105480400") / D("1055055852.62")
    assert convert(D("1"), "therm_US", "mmBtu").quantize(D("1E-10")) == D(
        "0.0999761290"
    )


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("therm", "therm"),
        ("therms", "therm"),
        ("Therm (EC)", "therm"),
        ("UK therm", "therm"),
        ("therm (US)", "therm_US"),
        ("US therms", "therm_US"),
        ("kg CO2 per therm (US)", "therm_US"),
        ("standard cubic feet", "scf"),
        ("kg CO2 per scf", "scf"),
    ],
)
def test_therm_labels_say_which_therm(label, code):
    assert parse_published_unit(label) == code
