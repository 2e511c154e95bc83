"""The honor types the bureau awards (data migration)."""

from django.db import migrations

HONOR_TYPES = [
    (
        "JRSJ",
        "军人世家",
        "household",
        10,
        "家庭中三代及以上（或同代三人及以上）有服役经历，家风优良、拥军爱国，"
        "在本地群众中有良好口碑，家庭成员无违法违纪记录。",
    ),
    (
        "JRJT",
        "军人家庭",
        "household",
        20,
        "家庭中有现役军人或退役军人，积极支持国防和军队建设，家庭和睦、遵纪守法，在邻里间发挥拥军优属示范作用。",
    ),
    (
        "ZMTY",
        "最美退役军人",
        "person",
        30,
        "退役后始终保持军人本色，在经济社会发展、基层治理、创业就业、见义勇为、"
        "扶贫济困等方面作出突出贡献，事迹感人、群众公认。",
    ),
    (
        "MFTY",
        "模范退役军人",
        "person",
        40,
        "在工作岗位上爱岗敬业、成绩突出，或在服务群众、志愿服务中表现优秀，在退役军人群体中具有示范引领作用。",
    ),
    (
        "GRZD",
        "光荣在党50年纪念章",
        "person",
        50,
        "中共党员，截至颁发年度7月1日党龄满50周年（入党时间不晚于颁发年度减50年的7月1日），在册且此前未获颁该纪念章。",
    ),
    (
        "LGXB",
        "立功受奖喜报",
        "serving_family",
        60,
        "本地入伍的现役军人荣立一等功、二等功、三等功，或获嘉奖、评为优秀士兵，向其家庭送达喜报，表彰军属。",
    ),
]


def create_types(apps, schema_editor):
    HonorType = apps.get_model("honors", "HonorType")
    for code, name, kind, order, criteria in HONOR_TYPES:
        HonorType.objects.update_or_create(
            code=code, defaults={"name": name, "subject_kind": kind, "sort_order": order, "criteria": criteria}
        )


class Migration(migrations.Migration):
    dependencies = [("honors", "0001_initial")]

    # Reverse: nothing to undo here; the rows go with the table when 0001 is reversed.
    operations = [migrations.RunPython(create_types, migrations.RunPython.noop)]
