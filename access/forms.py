"""The account and policy forms admins fill in."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password

from containers_app.references import CONTAINER_NAME

from .models import HostPolicy, Role

ROLE_HELP = (
    "viewer: sees everything, changes nothing; operator: also starts, stops, runs and pulls"
    " (within the host-access policy), opens terminals; admin: everything, accounts included."
)


class PasswordFields(forms.Form):
    password1 = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "the two passwords differ")
        elif first:
            try:
                validate_password(first)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class AccountForm(PasswordFields):
    username = forms.CharField(
        label="Username", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(
        label="Role", choices=Role.choices, initial=Role.VIEWER, help_text=ROLE_HELP
    )
    field_order = ["username", "role", "password1", "password2"]

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        if not CONTAINER_NAME.fullmatch(name) and "@" not in name:
            raise forms.ValidationError("letters, digits and _ . - @ only, at least 2 characters")
        if get_user_model().objects.filter(username=name).exists():
            raise forms.ValidationError(f"the name {name} is taken")
        return name


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices, help_text=ROLE_HELP)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = HostPolicy
        fields = [
            "bind_roots",
            "capabilities",
            "allow_privileged",
            "allow_host_namespaces",
            "allow_devices",
            "allow_sysctls",
            "allow_unconfined",
            "allow_root_with_binds",
        ]
        labels = {
            "bind_roots": "Host directories bind mounts may come from",
            "capabilities": "Capabilities --cap-add may add",
            "allow_privileged": "Allow --privileged",
            "allow_host_namespaces": "Allow the host's PID, IPC, network, UTS, user and cgroup"
            " namespaces (--pid host, --network host, ...)",
            "allow_devices": "Allow host devices and GPUs (--device, --gpus, --device-cgroup-rule)",
            "allow_sysctls": "Allow kernel parameters (--sysctl)",
            "allow_unconfined": "Allow turning protections off (--security-opt"
            " seccomp=unconfined, apparmor=unconfined, label=disable, systempaths=unconfined)",
            "allow_root_with_binds": "Allow root (user 0) in a container with bind mounts",
        }
        widgets = {
            "bind_roots": forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
            "capabilities": forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        }

    def clean_bind_roots(self):
        roots = [line.strip() for line in self.cleaned_data["bind_roots"].splitlines()]
        bad = [root for root in roots if root and not root.startswith("/")]
        if bad:
            raise forms.ValidationError(f"write absolute paths (such as /srv/data), not {bad[0]!r}")
        if "/" in roots:
            raise forms.ValidationError("/ would allow every host directory: name narrower ones")
        return "\n".join(root.rstrip("/") for root in roots if root)

    def clean_capabilities(self):
        names = [
            name.upper().removeprefix("CAP_") for name in self.cleaned_data["capabilities"].split()
        ]
        bad = [name for name in names if not name.replace("_", "").isalpha()]
        if bad:
            raise forms.ValidationError(f"{bad[0]!r} is not a capability name (such as NET_ADMIN)")
        return "\n".join(dict.fromkeys(names))
