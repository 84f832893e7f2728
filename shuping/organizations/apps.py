from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "shuping.organizations"
    verbose_name = "党组织与党员"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from shuping.audit.labels import register
        from shuping.organizations.counts import after_migrate

        post_migrate.connect(after_migrate, sender=self, dispatch_uid="org_people_counts")
        from shuping.organizations import models as m

        register(
            group=("organization", "组织架构"),
            actions={
                "organization.create": "新建组织",
                "organization.update": "修改组织",
                "organization.secretary": "任命书记",
                "organization.move": "移动组织",
                "organization.committee": "调整委员",
                "person.create": "新增人员",
                "person.update": "修改人员",
                "person.transfer": "组织关系转接",
                "roster.import": "导入花名册",
                "demo.load": "加载演示数据",
            },
            fields={
                "code": "组织编码",
                "name": "名称",
                "kind": "类型",
                "sector": "领域",
                "parent": "上级组织",
                "sort_order": "排序",
                "secretary": "书记",
                "deputy_secretary": "副书记",
                "committee_members": "委员",
                "is_retiree_branch": "离退休党支部",
                "is_active": "有效",
                "dissolved_on": "撤销日期",
                "gender": "性别",
                "birth_date": "出生日期",
                "category": "身份",
                "organization": "所在组织",
                "join_date": "入党日期",
                "member_status": "党员类别",
                "employment": "在职状态",
                "cadre_level": "干部级别",
                "position": "职务",
                "orgs_created": "新建组织",
                "orgs_updated": "更新组织",
                "people_created": "新建人员",
                "people_updated": "更新人员",
                "transfers": "转接",
                "posts_changed": "任职变更",
                "organizations": "党组织",
                "people": "人员",
                "user": "用户",
                "role": "角色",
            },
            values={
                "kind": dict(m.OrgKind.choices),
                "sector": dict(m.Sector.choices),
                "gender": dict(m.Gender.choices),
                "category": dict(m.PersonCategory.choices),
                "member_status": dict(m.MemberStatus.choices),
                "employment": dict(m.Employment.choices),
            },
        )
        for prefix in ("person", "roster", "demo"):
            register(group=(prefix, "组织架构"))
