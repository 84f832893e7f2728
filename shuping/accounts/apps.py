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
        for prefix in ("login", "password"):
            register(group=(prefix, "账号与登录"))
        register(
            actions={"login.locked": "登录被暂停（失败次数过多）", "password.change": "修改密码"},
        )
