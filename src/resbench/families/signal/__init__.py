"""Signal propagation (Nielsen ch. 5; Daneshmand et al.; He et al. 2016 §3): vanishing gradients in
sigmoid MLPs, per-block gradient norms during training, rank collapse at initialization, and the
identity-construction / appended-layers arguments."""
from ..base import Family, Metric, Probe

LAYER_STATS_IMAGES = 256  # fixed training images (no augmentation) per-block statistics are taken on

FAMILY = Family(
    name="signal", order=50, title="Signal propagation: why plain nets fail to optimize", config_key="signal",
    tables={"signal_layers": "signal/layers.csv", "signal_mlp": "signal/mlp_epochs.csv",
            "signal_speeds": "signal/mlp_speeds.csv", "signal_rank": "signal/rank.csv",
            "signal_identity": "signal/identity.json", "signal_appended": "signal/appended.csv",
            "signal_spectra": "signal/spectra.csv"},
    archived=("signal_identity", "signal_appended"),
    metrics=(Metric("appended_train_error", "training error after training appended blocks, per kind x blocks", +1),),
    references={
        "nielsen": "M. Nielsen. Neural Networks and Deep Learning, ch. 5. Determination Press, 2015.",
    },
    citations=("nielsen",),
    probes=(Probe("layers", "resbench.families.signal.layer_stats:probe", "stats_every"),),
    claims=(
        ("vanishing_gradients", "claim",
         "Gradients vanish toward the input of deep sigmoid nets and accuracy stops improving with depth; "
         "a residual path keeps the gradient (Nielsen ch. 5)."),
        ("rank_collapse", "claim",
         "Deep plain stacks lose the rank of their representation at initialization; BatchNorm keeps it."),
        ("rank_shortcuts", "claim",
         "Shortcuts with scaled residual branches keep the representation's rank."),
        ("identity_construction", "check",
         "A deeper plain net built from a shallow one with identity layers computes exactly what the "
         "shallow one does."),
        ("appended_layers", "claim",
         "Plain layers appended to a frozen net must learn the identity and raise its training error; "
         "residual blocks keep it (He et al. 2016)."),
    ),
)
