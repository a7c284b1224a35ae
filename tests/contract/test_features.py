"""Every network describes its features in one vocabulary, with the tokens each needs."""
from __future__ import annotations

import pytest

from chorus.events.values import Network
from chorus.networks.features import NAMES, Feature, catalogue

TOKENS = {"vk": {"community", "user"}, "x": {"bearer", "user"}, "telegram": {"bot"}, "facebook": {"page"}}


@pytest.mark.parametrize("network", [n.value for n in Network])
def test_each_network_lists_its_features_with_tokens_it_takes(network):
    features = catalogue(network)
    assert features and len({f.name for f in features}) == len(features)
    for feature in features:
        assert feature.name in NAMES and set(feature.token_kinds) <= TOKENS[network] and feature.description


def test_an_unknown_feature_name_is_refused():
    with pytest.raises(ValueError):
        Feature("teleport", ("user",), (), "no")
