"""UTM tagging of links in post texts (``chorus.networks.utm``): what is a link, how it is tagged, presets."""
from __future__ import annotations

import pytest

from chorus.networks.utm import DEFAULT_PRESET, UtmError, UtmPreset, add_params, find_links, tag_links

VK = {"utm_source": "vk", "utm_medium": "social", "utm_campaign": "spring"}
TAIL = "utm_source=vk&utm_medium=social&utm_campaign=spring"


def test_a_plain_link_gets_the_parameters():
    assert tag_links("Скидки: https://shop.ru/sale", VK) == f"Скидки: https://shop.ru/sale?{TAIL}"


def test_an_existing_query_and_fragment_are_kept_in_place():
    assert add_params("https://shop.ru/p?id=5&color=red#reviews", VK) == \
        f"https://shop.ru/p?id=5&color=red&{TAIL}#reviews"


def test_a_parameter_already_on_the_link_is_never_added_twice():
    url = "https://shop.ru/p?UTM_SOURCE=telegram&x=1"
    assert add_params(url, VK) == url + "&utm_medium=social&utm_campaign=spring"


def test_tagging_twice_changes_nothing():
    text = "Новинки https://shop.ru/new и www.shop.ru/sale, а также пример.рф!"
    once = tag_links(text, VK)
    assert tag_links(once, VK) == once
    assert once.count("utm_source=vk") == 3


def test_trailing_russian_punctuation_stays_outside_the_link():
    text = "Смотрите https://shop.ru/sale. Или (https://shop.ru/a_(b)), «https://shop.ru/c»; ok… https://shop.ru/d!"
    assert [link.url for link in find_links(text)] == [
        "https://shop.ru/sale", "https://shop.ru/a_(b)", "https://shop.ru/c", "https://shop.ru/d"]
    tagged = tag_links(text, {"utm_source": "vk"})
    assert "https://shop.ru/sale?utm_source=vk. Или" in tagged
    assert "(https://shop.ru/a_(b)?utm_source=vk), «" in tagged
    assert "«https://shop.ru/c?utm_source=vk»;" in tagged
    assert tagged.endswith("https://shop.ru/d?utm_source=vk!")


def test_cyrillic_and_punycode_domains_are_tagged_as_written():
    text = "Магазин: https://пример.рф/каталог и https://xn--e1afmkfd.xn--p1ai и магазин.рф"
    tagged = tag_links(text, {"utm_source": "vk"})
    assert "https://пример.рф/каталог?utm_source=vk" in tagged
    assert "https://xn--e1afmkfd.xn--p1ai/?utm_source=vk" in tagged
    assert tagged.endswith("магазин.рф/?utm_source=vk")


def test_a_link_without_a_path_gets_a_slash_before_the_query():
    assert add_params("https://shop.ru", {"a": "1"}) == "https://shop.ru/?a=1"
    assert add_params("shop.ru:8080#top", {"a": "1"}) == "shop.ru:8080/?a=1#top"


def test_email_addresses_and_dotted_words_are_not_links():
    text = "Пишите на info@shop.ru, читайте про ASP.NET и Node.js, т.е. 3.14 — не ссылки"
    assert find_links(text) == []
    assert tag_links(text, VK) == text


def test_bare_domains_can_be_left_alone():
    text = "shop.ru/sale и https://shop.ru/x"
    assert [link.url for link in find_links(text, bare_domains=False)] == ["https://shop.ru/x"]


def test_skipped_hosts_and_their_subdomains_are_untouched():
    text = "https://vk.com/brand https://m.vk.com/brand https://shop.ru"
    assert tag_links(text, {"utm_source": "vk"}, skip_hosts=["vk.com"]) == \
        "https://vk.com/brand https://m.vk.com/brand https://shop.ru/?utm_source=vk"


def test_values_with_spaces_and_cyrillic_are_percent_encoded():
    assert add_params("https://shop.ru/", {"utm_campaign": "Весна 2026"}) == \
        "https://shop.ru/?utm_campaign=%D0%92%D0%B5%D1%81%D0%BD%D0%B0%202026"


def test_the_default_preset_names_the_network_and_drops_an_empty_campaign():
    assert DEFAULT_PRESET.render(network="vk", campaign="spring") == VK
    assert DEFAULT_PRESET.render(network="telegram", campaign=None) == {"utm_source": "telegram",
                                                                         "utm_medium": "social"}


def test_an_edited_preset_renders_its_templates_per_account():
    preset = UtmPreset.from_dict({"name": "agency", "params": {"utm_source": "{source}", "utm_medium": "smm",
                                                               "utm_content": "{account}-{post}"},
                                  "sources": {"x": "twitter"}, "skip_hosts": ["t.me"]})
    text = preset.apply("https://shop.ru/a t.me/brand", network="x", account="acc-1", post="p9")
    assert text == "https://shop.ru/a?utm_source=twitter&utm_medium=smm&utm_content=acc-1-p9 t.me/brand"
    assert UtmPreset.from_dict(preset.to_dict()) == preset


@pytest.mark.parametrize("data, message", [
    ({"params": {"utm source": "x"}}, "not a usable parameter name"),
    ({"params": {"utm_source": "{owner}"}}, "placeholders are"),
    ({"params": {"utm_source": "{source"}}, "malformed"),
    ({"params": {}}, "at least one parameter"),
    ({"sources": {"myspace": "ms"}}, "unknown networks"),
    ({"skip_hosts": "vk.com"}, "list of domains"),
])
def test_a_bad_preset_is_refused_with_the_reason(data, message):
    with pytest.raises(UtmError, match=message):
        UtmPreset.from_dict(data)
