"""Where blocks, working hours and free time sit on the calendar grid (pure functions, no database)."""

from scheduling.calendar_layout import Column, Item, Span, clock, layout, subtract


def test_rows_span_the_working_day_in_15_minute_steps_and_default_to_7_to_19():
    grid = layout([Column("a", "A", working=[(9 * 60, 17 * 60)])], [])
    assert (grid.first_minute, grid.last_minute, len(grid.rows)) == (540, 1020, 32)
    assert grid.rows[0].row == 2 and grid.rows[0].is_hour and not grid.rows[1].is_hour
    empty = layout([Column("a", "A", working=[])], [])
    assert (empty.first_minute, empty.last_minute) == (7 * 60, 19 * 60)


def test_the_range_widens_to_whole_hours_around_visits_outside_it():
    grid = layout([Column("a", "A", working=[(9 * 60, 17 * 60)])], [Item("a", 7 * 60 + 30, 8 * 60 + 15)])
    assert grid.first_minute == 7 * 60 and grid.items[0].row == 4 and grid.items[0].span == 3


def test_overlapping_visits_share_the_column_in_lanes_and_are_not_free_time():
    items = [Item("a", 600, 645), Item("a", 615, 660), Item("a", 660, 700), Item("b", 600, 630)]
    grid = layout([Column("a", "A", working=[(540, 1020)]), Column("b", "B", working=[(540, 720)])], items)
    assert [(i.lane, i.lanes) for i in items] == [(0, 2), (1, 2), (0, 1), (0, 1)]
    a, b = grid.columns
    assert (a.index, b.index) == (2, 3)
    # Free time: working rows not under a visit, as spans (11:40 rounds up to 11:45).
    assert [(f.start, f.end) for f in a.free] == [(540, 600), (705, 1020)]
    assert [(f.row, f.span) for f in a.free] == [(2, 4), (13, 21)]
    assert [(w.start, w.end) for w in b.work] == [(540, 720)]  # one block of working hours
    assert [(f.start, f.end) for f in b.free] == [(540, 600), (630, 720)]


def test_working_hours_are_one_block_per_span_and_rooms_are_free_whenever_open():
    grid = layout([Column("a", "A", working=[(540, 720), (780, 1020)]), Column("room", "Room", working=None),
                   Column("shut", "Shut", working=[(540, 1020)], closed="Snow day")], [Item("room", 600, 630)])
    a, room, shut = grid.columns
    assert a.work == [Span(2, 12, 540, 720), Span(18, 16, 780, 1020)] and a.free == a.work
    assert room.work == [] and [(f.start, f.end) for f in room.free] == [(540, 600), (630, 1020)]
    assert shut.work == [] and shut.free == []  # a closed column is not offered
    assert (a.work[1].start_label, a.work[1].end_label, a.work[1].hhmm) == ("1:00 PM", "5:00 PM", "13:00")


def test_fixed_lanes_and_no_working_hours_for_the_compact_week():
    items = [Item("mon", 600, 645, fixed_lane=(1, 3))]
    grid = layout([Column("mon", "Mon", working=[(540, 1020)])], items, hours=False)
    assert (items[0].lane, items[0].lanes) == (1, 3) and grid.columns[0].work == grid.columns[0].free == []


def test_time_off_is_cut_out_of_working_hours():
    assert subtract([(540, 1020)], [(720, 780)]) == [(540, 720), (780, 1020)]
    assert subtract([(540, 1020)], [(0, 1440)]) == []
    assert subtract([(540, 600)], [(600, 660)]) == [(540, 600)]


def test_clock_reads_like_the_front_desk_speaks():
    assert [clock(m) for m in (0, 570, 720, 1275)] == ["12:00 AM", "9:30 AM", "12:00 PM", "9:15 PM"]


def test_columns_where_nobody_works_are_slim_and_crowded_ones_wide():
    items = [Item("a", 600, 645), Item("a", 600, 645)]
    grid = layout([Column("a", "A", working=[(540, 1020)]), Column("sat", "Sat", working=[]),
                   Column("room", "Room", working=None)], items, hint=[(480, 1080)])
    assert [(c.narrow, c.lanes) for c in grid.columns] == [(False, 2), (True, 1), (False, 1)]
    assert (grid.first_minute, grid.last_minute) == (480, 1080)
