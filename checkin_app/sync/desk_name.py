"""A desk's two names, its own and the one the hub enrolled it under: which to show, which to send."""

from __future__ import annotations

from dataclasses import dataclass

from checkin_app.domain.messages import msg, text


@dataclass(frozen=True, slots=True)
class DeskName:
    """The local name (desk settings) and the enrolled name ("" for a desk of no hub).

    The hub knows a desk only by the name it enrolled it under (its token), and every pushed
    row is stored under that name; so that is the identity a push carries, whatever the desk was
    renamed to locally. Where the two differ, people see both, so the name on the dashboard and
    in the conflicts list can be matched to the desk in front of them.
    """

    local: str
    enrolled: str = ""

    @property
    def differs(self) -> bool:
        """Both names are known and are not the same (spaces around them aside)."""
        return bool(self.local.strip()) and bool(self.enrolled.strip()) and \
            self.local.strip() != self.enrolled.strip()

    @property
    def identity(self) -> str:
        """The name rows carry to the hub: the enrolled one, else the local one."""
        return self.enrolled.strip() or self.local.strip()

    def shown(self, lang: str) -> str:
        """How the status bar and the desk menu name the desk, e.g. "Desk 3 (enrolled as hall-A-1)"."""
        if not self.differs:
            return self.local.strip() or self.enrolled.strip()
        return text(msg("desk_name.shown", local=self.local.strip(), enrolled=self.enrolled.strip()),
                    lang)

    def explained(self, lang: str) -> str:
        """A tooltip line saying why there are two names (empty when there is one)."""
        if not self.differs:
            return ""
        return text(msg("desk_name.explained", local=self.local.strip(),
                        enrolled=self.enrolled.strip()), lang)
