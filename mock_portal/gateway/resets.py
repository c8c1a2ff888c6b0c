"""When the brokerage's servers restart, by the region a user's account is served from: the daily
reset that ends a gateway's brokerage session, as IBKR's system status page lists it
(https://www.interactivebrokers.co.uk/pt/software/systemStatus.php; docs/gateway.md).

    daily, Sunday to Friday   North America 00:15 ET; Europe 06:25 CET; Asia-Pacific 04:45 and 20:15 HKT
    the weekend               Friday 23:00 ET, every region

Each window's start is when the mock's reset happens: the page gives windows (00:15-01:45 ET ...)
and says an account is out for moments within them, not when.
"""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
# region: (its time zone, the daily windows' starts as (hour, minute))
DAILY = {
    "north_america": (EASTERN, [(0, 15)]),
    "europe": (ZoneInfo("CET"), [(6, 25)]),
    "asia_pacific": (ZoneInfo("Asia/Hong_Kong"), [(4, 45), (20, 15)]),
}
SUNDAY_TO_FRIDAY = {6, 0, 1, 2, 3, 4}  # datetime.weekday(): Monday is 0
FRIDAY = 4
WEEKEND_START = (23, 0)  # Friday, Eastern time, every region


def _starts(zone, day, times):
    for hour, minute in times:
        yield datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).timestamp()


def next_reset(after, region):
    """The first reset of `region` strictly after the epoch time `after`."""
    zone, times = DAILY[region]
    candidates = []
    for offset in range(-1, 9):  # a week and a day covers every schedule from any moment
        local_day = (datetime.fromtimestamp(after, zone) + timedelta(days=offset)).date()
        if local_day.weekday() in SUNDAY_TO_FRIDAY:
            candidates += _starts(zone, local_day, times)
        eastern_day = (datetime.fromtimestamp(after, EASTERN) + timedelta(days=offset)).date()
        if eastern_day.weekday() == FRIDAY:
            candidates += _starts(EASTERN, eastern_day, [WEEKEND_START])
    return min(t for t in candidates if t > after)
