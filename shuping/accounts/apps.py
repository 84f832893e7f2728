from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shuping.accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from shuping.accounts.models import Role
        from shuping.audit.labels import register

        register(
            group=("role", "账号与角色"),
            actions={
                "role.grant": "授予角色",
                "token.create": "创建接口令牌",
            },
            values={"role": dict(Role.choices)},
        )
        register(group=("token", "账号与角色"))
