"""The web view of the workbook's 统计表 (/reporting/statistics/): the county's towns and total,
each figure a link to its list, the definitions from the registry."""

import pytest

from reporting import figures
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_it_works(client, county_user, ledger, django_assert_max_num_queries):
    login(client, county_user)
    with django_assert_max_num_queries(30):
        response = client.get("/reporting/statistics/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "海阳镇" in body and "万安镇" in body and "屯溪区" not in body.split("statistics-table")[1].split("</table>")[0]
    # every figure with a list is a link, the rates are stated with the definitions
    for figure in figures.figure_list():
        if figure.drill is not None:
            assert f'data-testid="figure-{figure.key}"' in body, figure.key
    assert all(definition in body for _name, _rule, definition in figures.definitions())


def test_it_validates_ownership(client, town_user, city_user, county_user, tree):
    login(client, town_user)
    assert client.get("/reporting/statistics/").status_code == 403
    login(client, county_user)  # another county's code: not in scope
    assert client.get("/reporting/statistics/", {"region": "341002"}).status_code == 404
    login(client, city_user)  # the city chooses its county
    response = client.get("/reporting/statistics/", {"region": "341002"})
    assert response.status_code == 200 and "昱中街道" in response.content.decode()
