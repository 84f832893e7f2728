from __future__ import annotations

import pytest

from shuping.lib.errors import NotFound
from shuping.rounds.access import get_campaign_for, visible_campaigns
from shuping.rounds.testing import make_campaign


def test_campaign_reach(cast):
    district_round = make_campaign(cast.district, reporters=[cast.street, cast.organ])
    street_round = make_campaign(cast.street, reporters=[cast.branch, cast.community])
    assert get_campaign_for(cast.organizer, district_round.pk, write=True) == district_round
    assert get_campaign_for(cast.superior, street_round.pk) == street_round
    with pytest.raises(NotFound):
        get_campaign_for(cast.superior, street_round.pk, write=True)
    # the street's organizer reads the district round its committee reports in
    assert get_campaign_for(cast.street_organizer, district_round.pk) == district_round
    with pytest.raises(NotFound):
        get_campaign_for(cast.street_organizer, district_round.pk, write=True)
    # a reporter sees the round they report in, not the district's
    assert get_campaign_for(cast.reporter, street_round.pk) == street_round
    with pytest.raises(NotFound):
        get_campaign_for(cast.reporter, district_round.pk)
    with pytest.raises(NotFound):
        get_campaign_for(cast.outsider, street_round.pk)
    with pytest.raises(NotFound):
        get_campaign_for(cast.organizer, 999999)
    assert set(visible_campaigns(cast.reporter)) == {street_round}
    assert set(visible_campaigns(cast.outsider)) == {district_round}
    assert set(visible_campaigns(cast.organizer)) == {district_round, street_round}
