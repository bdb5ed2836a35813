from apps.core.testing import _memory_layer_and_mail, alice, bob, charlie, make_user

__all__ = ["_memory_layer_and_mail", "alice", "bob", "charlie", "make_user"]
