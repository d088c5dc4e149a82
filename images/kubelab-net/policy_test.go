package main

import (
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func pod(ns, name, node, ip string, lbls map[string]string, ports ...v1.ContainerPort) *v1.Pod {
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name), Labels: lbls},
		Spec:       v1.PodSpec{NodeName: node, Containers: []v1.Container{{Name: "c", Ports: ports}}},
		Status:     v1.PodStatus{PodIP: ip, Phase: v1.PodRunning},
	}
}

func ns(name string, lbls map[string]string) *v1.Namespace {
	return &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: lbls}}
}

func policy(namespace, name string, selector map[string]string, spec func(*netv1.NetworkPolicySpec)) *netv1.NetworkPolicy {
	np := &netv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}, Spec: netv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: selector}}}
	if spec != nil {
		spec(&np.Spec)
	}
	return np
}

var (
	web    = pod("default", "web", "n1", "10.244.0.5", map[string]string{"app": "web"}, v1.ContainerPort{Name: "http", ContainerPort: 8080})
	client = pod("default", "client", "n1", "10.244.0.6", map[string]string{"role": "client"})
	other  = pod("team", "other", "n2", "10.244.1.7", map[string]string{"role": "client"})
	remote = pod("default", "remote", "n2", "10.244.1.8", map[string]string{"app": "web"})
	nss    = []*v1.Namespace{ns("default", map[string]string{"kubernetes.io/metadata.name": "default"}), ns("team", map[string]string{"team": "a"})}
)

func compile(t *testing.T, policies ...*netv1.NetworkPolicy) string {
	t.Helper()
	out, _ := compileRules("n1", []*v1.Pod{web, client, other, remote}, nss, policies)
	return string(out)
}

func TestNoPolicyIsolatesNothing(t *testing.T) {
	if got := compile(t); strings.Contains(got, "KUBELAB-I-") || strings.Contains(got, "KUBELAB-E-") {
		t.Fatalf("unexpected isolation:\n%s", got)
	}
}

func TestDefaultDenyIngressIsolatesSelectedLocalPodsOnly(t *testing.T) {
	got := compile(t, policy("default", "deny", map[string]string{"app": "web"}, nil))
	if !strings.Contains(got, "-d 10.244.0.5/32") {
		t.Fatalf("web not isolated:\n%s", got)
	}
	if strings.Contains(got, "10.244.1.8") {
		t.Fatalf("a pod on another node got rules here:\n%s", got)
	}
	if strings.Contains(got, "--set-xmark 0x40000/0x40000") {
		t.Fatalf("deny-all allows something:\n%s", got)
	}
}

func TestAllowFromPodLabelAndNamespaceLabel(t *testing.T) {
	got := compile(t, policy("default", "allow", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
		s.Ingress = []netv1.NetworkPolicyIngressRule{
			{From: []netv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"role": "client"}}}}},
			{From: []netv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"}}}}},
		}
	}))
	if !strings.Contains(got, "-s 10.244.0.6/32") {
		t.Errorf("client in the policy's namespace not allowed:\n%s", got)
	}
	if !strings.Contains(got, "-s 10.244.1.7/32") {
		t.Errorf("pod in the labelled namespace not allowed:\n%s", got)
	}
}

func TestPodSelectorAndNamespaceSelectorTogetherNeedBoth(t *testing.T) {
	got := compile(t, policy("default", "both", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
		s.Ingress = []netv1.NetworkPolicyIngressRule{{From: []netv1.NetworkPolicyPeer{{
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"role": "client"}},
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"}},
		}}}}
	}))
	if strings.Contains(got, "-s 10.244.0.6/32") || !strings.Contains(got, "-s 10.244.1.7/32") {
		t.Fatalf("want only team/other:\n%s", got)
	}
}

func TestNamedPortResolvesOnTheTargetPodAndEndPortMakesARange(t *testing.T) {
	tcp := v1.ProtocolTCP
	end := int32(9000)
	got := compile(t, policy("default", "ports", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
		s.Ingress = []netv1.NetworkPolicyIngressRule{{Ports: []netv1.NetworkPolicyPort{
			{Protocol: &tcp, Port: &intstr.IntOrString{Type: intstr.String, StrVal: "http"}},
			{Port: &intstr.IntOrString{Type: intstr.Int, IntVal: 8500}, EndPort: &end},
		}}}
	}))
	if !strings.Contains(got, "--dport 8080") || !strings.Contains(got, "--dport 8500:9000") {
		t.Fatalf("ports not resolved:\n%s", got)
	}
}

func TestIPBlockWithExceptGetsItsOwnChain(t *testing.T) {
	got := compile(t, policy("default", "cidr", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
		s.Ingress = []netv1.NetworkPolicyIngressRule{{From: []netv1.NetworkPolicyPeer{{IPBlock: &netv1.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16"}}}}}}
	}))
	if !strings.Contains(got, "-s 10.0.0.0/8 -j KUBELAB-B-") || !strings.Contains(got, "-s 10.1.0.0/16 -j RETURN") {
		t.Fatalf("ipBlock except not compiled:\n%s", got)
	}
}

func TestEgressIsolationFollowsPolicyTypes(t *testing.T) {
	onlyIngress := compile(t, policy("default", "i", map[string]string{"role": "client"}, nil))
	if strings.Contains(onlyIngress, "-s 10.244.0.6/32 -m comment --comment \"default/client\" -j KUBELAB-E-") {
		t.Fatalf("egress isolated without Egress in policyTypes:\n%s", onlyIngress)
	}
	egress := compile(t, policy("default", "e", map[string]string{"role": "client"}, func(s *netv1.NetworkPolicySpec) {
		s.PolicyTypes = []netv1.PolicyType{netv1.PolicyTypeEgress}
	}))
	if !strings.Contains(egress, "-A KUBELAB-POLICY -s 10.244.0.6/32") {
		t.Fatalf("egress not isolated:\n%s", egress)
	}
}

func TestSameStateGivesTheSameRules(t *testing.T) {
	p := policy("default", "deny", map[string]string{"app": "web"}, nil)
	if compile(t, p) != compile(t, p) {
		t.Fatal("rules are not stable")
	}
}
