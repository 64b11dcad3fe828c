"""The stand-ins' command lines (simulators/common/cli.py): per-id errors, the shared options."""

from __future__ import annotations

import pytest

from simulators.ga4.server import parse_report_errors
from simulators.meta.server import parse_item_errors
from simulators.x.server import parse_tweet_errors


@pytest.mark.parametrize(
    ("parse", "specs", "expected", "bad", "message"),
    [
        (
            parse_report_errors,
            ["2023-11-01", "2023-12-01=OUT_OF_RANGE"],
            {"2023-11-01": "INVALID_ARGUMENT", "2023-12-01": "OUT_OF_RANGE"},
            "2023-11=INTERNAL",
            "expected <YYYY-MM-DD>",
        ),
        (
            parse_item_errors,
            ["17900=converted", "1048_2=not_enough_viewers"],
            {"17900": "converted", "1048_2": "not_enough_viewers"},
            "17900=expired",
            "--item-error '17900=expired': expected <object id>=",
        ),
        (
            parse_tweet_errors,
            ["1735=not_found", "1736=field"],
            {"1735": "not_found", "1736": "field"},
            "1735=gone",
            "--tweet-error '1735=gone': expected <tweet id>=",
        ),
    ],
)
def test_a_stand_in_takes_per_id_errors_on_its_command_line(parse, specs, expected, bad, message):
    assert parse(specs) == expected
    with pytest.raises(ValueError, match=message):
        parse([bad])


def test_a_bad_error_spec_ends_the_command_with_a_usage_error(capsys):
    from simulators.x.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(["--port", "0", "--tweet-error", "1735"])
    assert exc.value.code == 2
    assert "--tweet-error '1735': expected <tweet id>=<not_found|not_authorized|field>" in capsys.readouterr().err


def test_the_shared_options_reach_the_stand_in():
    from simulators.common import cli

    p = cli.server_parser("simulators.test", None, 8099, token="t0k", token_help="")
    args = p.parse_args(["--port", "0", "--seed", "7", "--end", "2023-02-01", "--verbose"])
    assert cli.server_args(args) == {
        "seed": 7,
        "start": "2022-12-01",
        "end": "2023-02-01",
        "host": "127.0.0.1",
        "port": 0,
        "verbose": True,
    }
    assert args.token == "t0k"
    assert p.parse_args([]).port == 8099
