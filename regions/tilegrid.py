"""Where each provincial-level division sits on the tile-grid map (see docs/pictures.md).

One equal square per division, in a grid of 8 columns and 8 rows that keeps neighbours roughly
where they are on the ground (checked against the seats' coordinates); no boundary geometry at
all. Keyed by the GB/T 2260 code, which ``Region.code`` holds, so that the map needs no region
in the database to draw the country: divisions without a pilot region are still drawn.

Row 0 stays empty but for Heilongjiang: the map shows the details of the region under the
pointer or the keyboard focus there.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tile:
    code: str  # GB/T 2260
    abbreviation: str  # ISO 3166-2:CN, shown on the tile in English
    short_zh: str  # the short name, shown on the tile in Chinese
    name_zh: str
    name_en: str
    column: int
    row: int


COLUMNS = 8
ROWS = 8

TILES = [
    Tile("230000", "HL", "黑龙江", "黑龙江省", "Heilongjiang", 7, 0),
    Tile("650000", "XJ", "新疆", "新疆维吾尔自治区", "Xinjiang", 0, 1),
    Tile("150000", "NM", "内蒙古", "内蒙古自治区", "Inner Mongolia", 4, 1),
    Tile("110000", "BJ", "北京", "北京市", "Beijing", 5, 1),
    Tile("210000", "LN", "辽宁", "辽宁省", "Liaoning", 6, 1),
    Tile("220000", "JL", "吉林", "吉林省", "Jilin", 7, 1),
    Tile("630000", "QH", "青海", "青海省", "Qinghai", 1, 2),
    Tile("620000", "GS", "甘肃", "甘肃省", "Gansu", 2, 2),
    Tile("640000", "NX", "宁夏", "宁夏回族自治区", "Ningxia", 3, 2),
    Tile("140000", "SX", "山西", "山西省", "Shanxi", 4, 2),
    Tile("130000", "HE", "河北", "河北省", "Hebei", 5, 2),
    Tile("120000", "TJ", "天津", "天津市", "Tianjin", 6, 2),
    Tile("540000", "XZ", "西藏", "西藏自治区", "Tibet (Xizang)", 1, 3),
    Tile("510000", "SC", "四川", "四川省", "Sichuan", 2, 3),
    Tile("610000", "SN", "陕西", "陕西省", "Shaanxi", 3, 3),
    Tile("410000", "HA", "河南", "河南省", "Henan", 4, 3),
    Tile("370000", "SD", "山东", "山东省", "Shandong", 5, 3),
    Tile("500000", "CQ", "重庆", "重庆市", "Chongqing", 3, 4),
    Tile("420000", "HB", "湖北", "湖北省", "Hubei", 4, 4),
    Tile("340000", "AH", "安徽", "安徽省", "Anhui", 5, 4),
    Tile("320000", "JS", "江苏", "江苏省", "Jiangsu", 6, 4),
    Tile("310000", "SH", "上海", "上海市", "Shanghai", 7, 4),
    Tile("530000", "YN", "云南", "云南省", "Yunnan", 2, 5),
    Tile("520000", "GZ", "贵州", "贵州省", "Guizhou", 3, 5),
    Tile("430000", "HN", "湖南", "湖南省", "Hunan", 4, 5),
    Tile("360000", "JX", "江西", "江西省", "Jiangxi", 5, 5),
    Tile("330000", "ZJ", "浙江", "浙江省", "Zhejiang", 6, 5),
    Tile("450000", "GX", "广西", "广西壮族自治区", "Guangxi", 3, 6),
    Tile("440000", "GD", "广东", "广东省", "Guangdong", 4, 6),
    Tile("350000", "FJ", "福建", "福建省", "Fujian", 5, 6),
    Tile("710000", "TW", "台湾", "台湾省", "Taiwan", 6, 6),
    Tile("460000", "HI", "海南", "海南省", "Hainan", 3, 7),
    Tile("820000", "MO", "澳门", "澳门特别行政区", "Macao", 4, 7),
    Tile("810000", "HK", "香港", "香港特别行政区", "Hong Kong", 5, 7),
]

BY_CODE = {tile.code: tile for tile in TILES}
