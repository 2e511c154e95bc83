"""Date formats of the portal (FORMAT_MODULE_PATH): what ``{{ value|date }}``, ``{{ value }}`` and
``django.utils.formats.date_format`` write. Public pages write dates as 2026年12月2日 (issue 23);
only the display formats are pinned, input formats stay Django's zh_Hans ones."""

DATE_FORMAT = "Y年n月j日"  # 2026年12月2日
DATETIME_FORMAT = "Y年n月j日 H:i"  # 2026年12月2日 09:30
SHORT_DATE_FORMAT = "Y年n月j日"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
YEAR_MONTH_FORMAT = "Y年n月"  # 2026年12月
MONTH_DAY_FORMAT = "n月j日"  # 12月2日
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1  # 星期一
