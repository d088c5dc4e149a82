module kubelab.dev/host/runc-shim

go 1.22
