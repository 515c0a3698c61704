"""Region paths: a region's path is its ancestors' codes and its own, each followed by "/"
("340000/341000/341022/…/"), so a subtree is a path prefix. The one place that derives a path's
ancestors and its county; scopes, notifications and reports ask here."""

from .models import Region, RegionLevel

#: a path's segments above the county's: province, city
_ABOVE_COUNTY = RegionLevel.COUNTY - RegionLevel.PROVINCE


def ancestors(path: str) -> list[str]:
    """The paths of the region at `path` and of every region above it, top first."""
    return [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]


def county_path(path: str) -> str | None:
    """The path of the county (县/区) the region at `path` is or belongs to; None above county level."""
    paths = ancestors(path)
    return paths[_ABOVE_COUNTY] if len(paths) > _ABOVE_COUNTY else None


def county_of(region: Region) -> Region | None:
    """The county (县/区) `region` is or belongs to; None above county level."""
    if region.level == RegionLevel.COUNTY:
        return region
    if region.level < RegionLevel.COUNTY:
        return None
    return Region.objects.filter(path=county_path(region.path)).first()
