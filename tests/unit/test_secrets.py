from harness.store.secrets import redact, secret_values


def test_only_credential_like_names_are_secrets():
    env = {
        "OPENAI_API_KEY": "sk-abcdef123",
        "HF_TOKEN": "hf_xyz98765",
        "HOME": "/root",
        "X_KEY": "1",
    }
    assert secret_values(env) == {"sk-abcdef123": "OPENAI_API_KEY", "hf_xyz98765": "HF_TOKEN"}


def test_redact_walks_nested_structures_and_keys():
    secrets = {"sk-abcdef123": "OPENAI_API_KEY"}
    obj = {"a": ["x sk-abcdef123 y", ("sk-abcdef123",)], "sk-abcdef123": 3, "n": 1.5}
    out = redact(obj, secrets)
    assert "sk-abcdef123" not in repr(out)
    assert out["a"][0] == "x [REDACTED:OPENAI_API_KEY] y"
    assert out["[REDACTED:OPENAI_API_KEY]"] == 3 and out["n"] == 1.5
