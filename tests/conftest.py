"""pytest settings for scae-nb's tests."""


def pytest_configure(config):
    config.addinivalue_line('markers', 'colab: the Colab first-cell check (fresh venv, pip install from git)')
