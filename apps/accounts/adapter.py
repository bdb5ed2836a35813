from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """PeerLearn's allauth adapter: signup happens through our registration wizards."""
