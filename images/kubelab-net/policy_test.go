package main

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// ---------------------------------------------------------------- fixtures

func pod(ns, name, node, ip string, lbls map[string]string, ports ...v1.ContainerPort) *v1.Pod {
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + ns + "-" + name), Labels: lbls},
		Spec:       v1.PodSpec{NodeName: node, Containers: []v1.Container{{Name: "c", Ports: ports}}},
		Status:     v1.PodStatus{PodIP: ip, Phase: v1.PodRunning},
	}
}

func ns(name string, lbls map[string]string) *v1.Namespace {
	l := map[string]string{"kubernetes.io/metadata.name": name}
	for k, v := range lbls {
		l[k] = v
	}
	return &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l}}
}

func policy(namespace, name string, selector map[string]string, spec func(*netv1.NetworkPolicySpec)) *netv1.NetworkPolicy {
	np := &netv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}, Spec: netv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: selector}}}
	if spec != nil {
		spec(&np.Spec)
	}
	return np
}

func sel(kv ...string) *metav1.LabelSelector {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return &metav1.LabelSelector{MatchLabels: m}
}

func port(proto v1.Protocol, p intstr.IntOrString, end ...int32) netv1.NetworkPolicyPort {
	np := netv1.NetworkPolicyPort{Port: &p}
	if proto != "" {
		np.Protocol = &proto
	}
	if len(end) > 0 {
		np.EndPort = &end[0]
	}
	return np
}

func from(peers ...netv1.NetworkPolicyPeer) []netv1.NetworkPolicyPeer { return peers }

// The cluster: node n1 (this node, 172.18.0.2) and n2.
const nodeIP = "172.18.0.2"

var (
	web    = pod("default", "web", "n1", "10.244.0.5", map[string]string{"app": "web"}, v1.ContainerPort{Name: "http", ContainerPort: 8080}, v1.ContainerPort{Name: "dns", ContainerPort: 5353, Protocol: v1.ProtocolUDP})
	client = pod("default", "client", "n1", "10.244.0.6", map[string]string{"role": "client"})
	db     = pod("default", "db", "n2", "10.244.1.9", map[string]string{"app": "db"}, v1.ContainerPort{Name: "pg", ContainerPort: 5432})
	remote = pod("default", "remote", "n2", "10.244.1.8", map[string]string{"app": "web"}, v1.ContainerPort{Name: "http", ContainerPort: 9090})
	teamA  = pod("team", "a", "n2", "10.244.1.7", map[string]string{"role": "client"})
	teamB  = pod("team", "b", "n1", "10.244.0.10", map[string]string{"role": "other"})
	prodX  = pod("prod", "x", "n1", "10.244.0.11", map[string]string{"role": "client"})
	hostNP = func() *v1.Pod {
		p := pod("kube-system", "hostnet", "n1", nodeIP, map[string]string{"app": "web"})
		p.Spec.HostNetwork = true
		return p
	}()
	pending = pod("default", "pending", "n1", "", map[string]string{"app": "web"})
	done    = func() *v1.Pod {
		p := pod("default", "done", "n1", "10.244.0.12", map[string]string{"app": "web"})
		p.Status.Phase = v1.PodSucceeded
		return p
	}()
	allPods       = []*v1.Pod{web, client, db, remote, teamA, teamB, prodX, hostNP, pending, done}
	allNamespaces = []*v1.Namespace{ns("default", nil), ns("team", map[string]string{"team": "a"}), ns("prod", map[string]string{"env": "prod"}), ns("kube-system", nil)}
	internet      = "203.0.113.7" // TEST-NET-3, only ever a string in these tests
)

// ---------------------------------------------------------------- a tiny iptables evaluator

// packet is a NEW connection's first packet crossing FORWARD.
type packet struct {
	src, dst string
	proto    string // tcp, udp, icmp
	port     int
}

func (p packet) String() string { return fmt.Sprintf("%s %s -> %s:%d", p.proto, p.src, p.dst, p.port) }

type iptRule struct {
	src, dst   netip.Prefix
	proto      string
	portLo     int
	portHi     int
	ctstate    string
	target     string
	rejectWith string
}

// parseRules reads the payload compileRules emits; anything it does not model fails the test,
// so the evaluator cannot silently ignore a match.
func parseRules(t *testing.T, payload string) map[string][]iptRule {
	t.Helper()
	chains := map[string][]iptRule{}
	lines := strings.Split(strings.TrimSpace(payload), "\n")
	if lines[0] != "*filter" || lines[len(lines)-1] != "COMMIT" {
		t.Fatalf("not a filter-table payload:\n%s", payload)
	}
	for _, l := range lines[1 : len(lines)-1] {
		if strings.HasPrefix(l, ":") {
			name := strings.Fields(l[1:])[0]
			if _, dup := chains[name]; dup {
				t.Fatalf("chain %s declared twice", name)
			}
			chains[name] = nil
			continue
		}
		toks := tokenize(t, l)
		if toks[0] != "-A" {
			t.Fatalf("unexpected line %q", l)
		}
		chain := toks[1]
		if _, ok := chains[chain]; !ok {
			t.Fatalf("rule for undeclared chain: %q", l)
		}
		var r iptRule
		for i := 2; i < len(toks); i++ {
			arg := func() string { i++; return toks[i] }
			switch toks[i] {
			case "-s":
				r.src = netip.MustParsePrefix(arg())
			case "-d":
				r.dst = netip.MustParsePrefix(arg())
			case "-p":
				r.proto = arg()
			case "-m":
				switch m := arg(); m {
				case "comment", "conntrack", "tcp", "udp", "sctp":
				default:
					t.Fatalf("unknown match module %q in %q", m, l)
				}
			case "--comment":
				arg()
			case "--ctstate":
				r.ctstate = arg()
			case "--dport":
				lo, hi, _ := strings.Cut(arg(), ":")
				r.portLo, _ = strconv.Atoi(lo)
				r.portHi = r.portLo
				if hi != "" {
					r.portHi, _ = strconv.Atoi(hi)
				}
			case "-j":
				r.target = arg()
			case "--reject-with":
				r.rejectWith = arg()
			default:
				t.Fatalf("unknown token %q in %q", toks[i], l)
			}
		}
		if r.target == "" {
			t.Fatalf("rule without target: %q", l)
		}
		if r.target == "REJECT" && (r.proto == "tcp") != (r.rejectWith == "tcp-reset") {
			t.Fatalf("tcp-reset only for tcp: %q", l)
		}
		chains[chain] = append(chains[chain], r)
	}
	return chains
}

func tokenize(t *testing.T, l string) []string {
	var out []string
	for l = strings.TrimSpace(l); l != ""; l = strings.TrimSpace(l) {
		if l[0] == '"' {
			s, err := strconv.QuotedPrefix(l)
			if err != nil {
				t.Fatalf("bad quoting in %q", l)
			}
			out = append(out, s)
			l = l[len(s):]
			continue
		}
		f, rest, _ := strings.Cut(l, " ")
		out = append(out, f)
		l = rest
	}
	return out
}

// allowed runs a NEW packet through FORWARD -> KUBELAB-POLICY.
func allowed(t *testing.T, chains map[string][]iptRule, p packet) bool {
	t.Helper()
	verdict, _ := walk(t, chains, policyChain, p, 0)
	return verdict != "REJECT"
}

func walk(t *testing.T, chains map[string][]iptRule, chain string, p packet, depth int) (string, bool) {
	if depth > 5 {
		t.Fatal("chain loop")
	}
	src, dst := netip.MustParseAddr(p.src), netip.MustParseAddr(p.dst)
	for _, r := range chains[chain] {
		if r.src.IsValid() && !r.src.Contains(src) || r.dst.IsValid() && !r.dst.Contains(dst) {
			continue
		}
		if r.proto != "" && r.proto != p.proto || r.portLo != 0 && (p.port < r.portLo || p.port > r.portHi) {
			continue
		}
		if r.ctstate != "" { // only ever ESTABLISHED,RELATED; our packets are NEW
			continue
		}
		switch r.target {
		case "RETURN":
			return "", false
		case "REJECT", "ACCEPT":
			return r.target, true
		default:
			if _, ok := chains[r.target]; !ok {
				t.Fatalf("jump to unknown chain %s", r.target)
			}
			if v, final := walk(t, chains, r.target, p, depth+1); final {
				return v, true
			}
		}
	}
	return "", false
}

// ---------------------------------------------------------------- semantics

type check struct {
	p    packet
	want bool
}

func tcp(src, dst string, port int) packet { return packet{src, dst, "tcp", port} }
func udp(src, dst string, port int) packet { return packet{src, dst, "udp", port} }

func allow(p packet) check { return check{p, true} }
func deny(p packet) check  { return check{p, false} }

func ip(p *v1.Pod) string { return p.Status.PodIP }

func TestPolicySemantics(t *testing.T) {
	tcpProto, udpProto := v1.ProtocolTCP, v1.ProtocolUDP
	cases := []struct {
		name     string
		policies []*netv1.NetworkPolicy
		checks   []check
	}{
		{
			name: "no policy isolates nothing",
			checks: []check{
				allow(tcp(ip(client), ip(web), 80)), allow(tcp(internet, ip(web), 8080)), allow(udp(ip(web), internet, 53)),
				allow(tcp(ip(web), ip(db), 5432)),
			},
		},
		{
			name:     "default deny ingress: {} selects every pod of the namespace, egress stays open",
			policies: []*netv1.NetworkPolicy{policy("default", "deny", nil, nil)},
			checks: []check{
				deny(tcp(ip(client), ip(web), 80)), deny(udp(ip(teamB), ip(web), 5353)), deny(tcp(internet, ip(client), 22)),
				deny(packet{ip(teamB), ip(web), "icmp", 0}),
				allow(tcp(ip(web), ip(teamB), 80)), allow(tcp(ip(web), internet, 443)), // egress not isolated
				allow(tcp(ip(web), ip(prodX), 80)), // another namespace: not selected
			},
		},
		{
			name:     "default deny in another namespace changes nothing here",
			policies: []*netv1.NetworkPolicy{policy("team", "deny", nil, nil)},
			checks:   []check{allow(tcp(ip(client), ip(web), 80)), deny(tcp(ip(client), ip(teamB), 80))},
		},
		{
			name: "allow from pods with a label (the policy's namespace only)",
			policies: []*netv1.NetworkPolicy{policy("default", "web", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
				s.Ingress = []netv1.NetworkPolicyIngressRule{{From: from(netv1.NetworkPolicyPeer{PodSelector: sel("role", "client")})}}
			})},
			checks: []check{
				allow(tcp(ip(client), ip(web), 80)), allow(udp(ip(client), ip(web), 9999)),
				deny(tcp(ip(prodX), ip(web), 80)), // role=client, but in prod
				deny(tcp(ip(teamA), ip(web), 80)),
				deny(tcp(ip(db), ip(web), 80)),
				allow(tcp(ip(web), ip(client), 80)), // client is not selected
			},
		},
		{
			name: "allow from a namespace by label (every pod in it, any node)",
			policies: []*netv1.NetworkPolicy{policy("default", "web", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
				s.Ingress = []netv1.NetworkPolicyIngressRule{{From: from(netv1.NetworkPolicyPeer{NamespaceSelector: sel("team", "a")})}}
			})},
			checks: []check{allow(tcp(ip(teamA), ip(web), 80)), allow(tcp(ip(teamB), ip(web), 80)), deny(tcp(ip(client), ip(web), 80)), deny(tcp(ip(prodX), ip(web), 80))},
		},
		{
			name: "podSelector and namespaceSelector in one peer need both; in two peers either",
			policies: []*netv1.NetworkPolicy{policy("default", "web", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
				s.Ingress = []netv1.NetworkPolicyIngressRule{{From: from(netv1.NetworkPolicyPeer{PodSelector: sel("role", "client"), NamespaceSelector: sel("team", "a")})}}
			}), policy("default", "db", map[string]string{"app": "db"}, func(s *netv1.NetworkPolicySpec) {
				s.Ingress = []netv1.NetworkPolicyIngressRule{{From: from(netv1.NetworkPolicyPeer{PodSelector: sel("role", "client")}, netv1.NetworkPolicyPeer{NamespaceSelector: sel("team", "a")})}}
			})},
			checks: []check{
				allow(tcp(ip(teamA), ip(web), 80)), deny(tcp(ip(teamB), ip(web), 80)), deny(tcp(ip(client), ip(web), 80)), deny(tcp(ip(prodX), ip(web), 80)),
			},
		},
		{
			name: "namespaceSelector {} means every namespace; podSelector {} every pod of the namespace",
			policies: []*netv1.NetworkPolicy{policy("default", "web", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
				s.Ingress = []netv1.NetworkPolicyIngressRule{
					{From: from(netv1.NetworkPolicyPeer{NamespaceSelector: &metav1.LabelSelector{}, PodSelector: sel("role", "client")})},
					{From: from(netv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{}}), Ports: []netv1.NetworkPolicyPort{port("", intstr.FromInt32(7000))}},
				}
			})},
			checks: []check{
				allow(tcp(ip(prodX), ip(web), 80)), allow(tcp(ip(teamA), ip(web), 80)), deny(tcp(ip(teamB), ip(web), 80)),
				allow(tcp(ip(db), ip(web), 7000)), deny(tcp(ip(db), ip(web), 7001)), deny(tcp(ip(teamB), ip(web), 7000)),
			},
		},
		{
			name: "ipBlock with except",
			policies: []*netv1.NetworkPolicy{policy("default", "web", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
				s.Ingress = []netv1.NetworkPolicyIngressRule{{From: from(netv1.NetworkPolicyPeer{IPBlock: &netv1.IPBlock{CIDR: "10.244.0.0/16", Except: []string{"10.244.1.0/24", "10.244.0.6/32"}}})}}
			})},
			checks: []check{
				allow(tcp(ip(teamB), ip(web), 80)), allow(tcp(ip(prodX), ip(web), 80)), allow(tcp("10.244.200.1", ip(web), 80)),
				deny(tcp(ip(client), ip(web), 80)), deny(tcp(ip(teamA), ip(web), 80)), deny(tcp(ip(db), ip(web), 80)), deny(tcp(internet, ip(web), 80)),
			},
		},
		{
			name: "ports: protocol defaults to TCP, named port resolves on the target pod, endPort makes a range",
			policies: []*netv1.NetworkPolicy{policy("default", "web", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
				s.Ingress = []netv1.NetworkPolicyIngressRule{{Ports: []netv1.NetworkPolicyPort{
					port("", intstr.FromString("http")),
					port(udpProto, intstr.FromString("dns")),
					port(tcpProto, intstr.FromString("pg")), // db's port, not web's: allows nothing on web
					port("", intstr.FromInt32(8500), 9000),
					port(udpProto, intstr.FromInt32(53)),
				}}}
			})},
			checks: []check{
				allow(tcp(internet, ip(web), 8080)), deny(udp(internet, ip(web), 8080)),
				allow(udp(ip(client), ip(web), 5353)), deny(tcp(ip(client), ip(web), 5353)),
				deny(tcp(ip(client), ip(web), 5432)),
				allow(tcp(ip(client), ip(web), 8500)), allow(tcp(ip(client), ip(web), 8777)), allow(tcp(ip(client), ip(web), 9000)),
				deny(tcp(ip(client), ip(web), 9001)), deny(tcp(ip(client), ip(web), 8499)), deny(udp(ip(client), ip(web), 8600)),
				allow(udp(ip(client), ip(web), 53)), deny(tcp(ip(client), ip(web), 53)),
			},
		},
		{
			name: "a port with only a protocol allows every port of it",
			policies: []*netv1.NetworkPolicy{policy("default", "web", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
				s.Ingress = []netv1.NetworkPolicyIngressRule{{Ports: []netv1.NetworkPolicyPort{{Protocol: &udpProto}}}}
			})},
			checks: []check{allow(udp(ip(client), ip(web), 1)), allow(udp(ip(client), ip(web), 65535)), deny(tcp(ip(client), ip(web), 80))},
		},
		{
			name: "egress default deny blocks DNS too; the lesson's allow port 53 opens it",
			policies: []*netv1.NetworkPolicy{policy("default", "deny-egress", nil, func(s *netv1.NetworkPolicySpec) {
				s.PolicyTypes = []netv1.PolicyType{netv1.PolicyTypeEgress}
			})},
			checks: []check{
				deny(udp(ip(client), ip(teamB), 53)), deny(tcp(ip(client), internet, 443)), deny(tcp(ip(web), ip(client), 80)),
				allow(tcp(ip(teamB), ip(web), 80)), // ingress not isolated; teamB's egress neither
			},
		},
		{
			name: "egress allow to pods by label on a named port of the destination, plus DNS anywhere",
			policies: []*netv1.NetworkPolicy{policy("default", "client-out", map[string]string{"role": "client"}, func(s *netv1.NetworkPolicySpec) {
				s.Egress = []netv1.NetworkPolicyEgressRule{
					{To: from(netv1.NetworkPolicyPeer{PodSelector: sel("app", "web")}), Ports: []netv1.NetworkPolicyPort{port("", intstr.FromString("http"))}},
					{Ports: []netv1.NetworkPolicyPort{port(udpProto, intstr.FromInt32(53)), port(tcpProto, intstr.FromInt32(53))}},
				}
			})},
			checks: []check{
				allow(tcp(ip(client), ip(web), 8080)), allow(tcp(ip(client), ip(remote), 9090)), // each resolves its own "http"
				deny(tcp(ip(client), ip(web), 9090)), deny(tcp(ip(client), ip(remote), 8080)),
				deny(tcp(ip(client), ip(db), 5432)),
				allow(udp(ip(client), ip(teamB), 53)), allow(tcp(ip(client), internet, 53)), deny(tcp(ip(client), internet, 443)),
				// policyTypes defaulted to [Ingress, Egress]: client's ingress is isolated too, with no ingress rule
				deny(tcp(ip(web), ip(client), 80)),
			},
		},
		{
			name: "egress named port with no peers resolves on every pod",
			policies: []*netv1.NetworkPolicy{policy("default", "client-out", map[string]string{"role": "client"}, func(s *netv1.NetworkPolicySpec) {
				s.PolicyTypes = []netv1.PolicyType{netv1.PolicyTypeEgress}
				s.Egress = []netv1.NetworkPolicyEgressRule{{Ports: []netv1.NetworkPolicyPort{port("", intstr.FromString("pg"))}}}
			})},
			checks: []check{allow(tcp(ip(client), ip(db), 5432)), deny(tcp(ip(client), ip(web), 5432)), deny(tcp(ip(client), internet, 5432))},
		},
		{
			name: "egress to an ipBlock with except",
			policies: []*netv1.NetworkPolicy{policy("default", "client-out", map[string]string{"role": "client"}, func(s *netv1.NetworkPolicySpec) {
				s.PolicyTypes = []netv1.PolicyType{netv1.PolicyTypeEgress}
				s.Egress = []netv1.NetworkPolicyEgressRule{{To: from(netv1.NetworkPolicyPeer{IPBlock: &netv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{"10.0.0.0/8", "172.16.0.0/12"}}})}}
			})},
			checks: []check{allow(tcp(ip(client), internet, 443)), deny(tcp(ip(client), ip(web), 80)), deny(tcp(ip(client), nodeIP, 10250)), allow(tcp(ip(client), "192.168.1.1", 80))},
		},
		{
			name: "policyTypes: Ingress only ignores egress rules; Egress only leaves ingress open",
			policies: []*netv1.NetworkPolicy{
				policy("default", "in-only", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
					s.PolicyTypes = []netv1.PolicyType{netv1.PolicyTypeIngress}
					s.Egress = []netv1.NetworkPolicyEgressRule{{Ports: []netv1.NetworkPolicyPort{port("", intstr.FromInt32(1))}}}
				}),
				policy("default", "out-only", map[string]string{"role": "client"}, func(s *netv1.NetworkPolicySpec) {
					s.PolicyTypes = []netv1.PolicyType{netv1.PolicyTypeEgress}
					s.Ingress = []netv1.NetworkPolicyIngressRule{{}} // ignored: not an Ingress policy
				}),
			},
			checks: []check{
				allow(tcp(ip(web), internet, 443)), deny(tcp(ip(teamB), ip(web), 80)),
				allow(tcp(ip(teamB), ip(client), 80)), deny(tcp(ip(client), ip(teamB), 80)),
			},
		},
		{
			name: "rules are unions: a second policy adds to the first; an empty rule allows everything",
			policies: []*netv1.NetworkPolicy{
				policy("default", "deny", nil, nil),
				policy("default", "web-80", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
					s.Ingress = []netv1.NetworkPolicyIngressRule{{Ports: []netv1.NetworkPolicyPort{port("", intstr.FromInt32(80))}}}
				}),
				policy("default", "client-all", map[string]string{"role": "client"}, func(s *netv1.NetworkPolicySpec) {
					s.Ingress = []netv1.NetworkPolicyIngressRule{{}}
				}),
			},
			checks: []check{
				allow(tcp(internet, ip(web), 80)), deny(tcp(internet, ip(web), 81)),
				allow(tcp(internet, ip(client), 81)), allow(udp(ip(teamB), ip(client), 5)),
			},
		},
		{
			name: "both directions: the source's egress and the destination's ingress must both allow",
			policies: []*netv1.NetworkPolicy{
				policy("default", "client-out", map[string]string{"role": "client"}, func(s *netv1.NetworkPolicySpec) {
					s.Egress = []netv1.NetworkPolicyEgressRule{{To: from(netv1.NetworkPolicyPeer{PodSelector: sel("app", "web")})}}
					s.PolicyTypes = []netv1.PolicyType{netv1.PolicyTypeEgress}
				}),
				policy("default", "web-in", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
					s.Ingress = []netv1.NetworkPolicyIngressRule{{Ports: []netv1.NetworkPolicyPort{port("", intstr.FromInt32(80))}}}
				}),
			},
			checks: []check{allow(tcp(ip(client), ip(web), 80)), deny(tcp(ip(client), ip(web), 81)), deny(tcp(ip(client), ip(teamB), 80))},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			payload := compileRules("n1", allPods, allNamespaces, tc.policies)
			chains := parseRules(t, payload)
			for _, c := range tc.checks {
				if got := allowed(t, chains, c.p); got != c.want {
					t.Errorf("%s: allowed=%v, want %v\n%s", c.p, got, c.want, payload)
				}
			}
		})
	}
}

// ---------------------------------------------------------------- the payload itself

func TestNoPolicyGivesOnlyTheBaseChain(t *testing.T) {
	want := "*filter\n:KUBELAB-POLICY - [0:0]\n-A KUBELAB-POLICY -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN\nCOMMIT\n"
	if got := compileRules("n1", allPods, allNamespaces, nil); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestOnlyLiveLocalPodNetworkPodsGetChains(t *testing.T) {
	// app=web matches web (n1), remote (n2), the hostNetwork pod, a pending pod and a finished one.
	got := compileRules("n1", allPods, allNamespaces, []*netv1.NetworkPolicy{
		policy("default", "deny", map[string]string{"app": "web"}, nil),
		policy("kube-system", "deny", nil, nil),
	})
	if n := len(ownedChains(got)); n != 1 || !strings.Contains(got, "-d 10.244.0.5/32 ") {
		t.Fatalf("want exactly web's ingress chain, got %d:\n%s", n, got)
	}
	for _, s := range []string{ip(remote), nodeIP, ip(done)} {
		if strings.Contains(got, s) {
			t.Fatalf("%s has rules here:\n%s", s, got)
		}
	}
	// On n2 the same policies isolate remote and nothing of n1.
	got2 := compileRules("n2", allPods, allNamespaces, []*netv1.NetworkPolicy{policy("default", "deny", map[string]string{"app": "web"}, nil)})
	if !strings.Contains(got2, "-d 10.244.1.8/32 ") || strings.Contains(got2, "10.244.0.5") {
		t.Fatalf("n2:\n%s", got2)
	}
}

func TestRulesAreStableAndSorted(t *testing.T) {
	ps := []*netv1.NetworkPolicy{
		policy("default", "b", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
			s.Ingress = []netv1.NetworkPolicyIngressRule{{From: from(netv1.NetworkPolicyPeer{NamespaceSelector: &metav1.LabelSelector{}})}}
		}),
		policy("default", "a", nil, func(s *netv1.NetworkPolicySpec) {
			s.PolicyTypes = []netv1.PolicyType{netv1.PolicyTypeIngress, netv1.PolicyTypeEgress}
		}),
	}
	first := compileRules("n1", allPods, allNamespaces, ps)
	reversedPods := append([]*v1.Pod(nil), allPods...)
	for i, j := 0, len(reversedPods)-1; i < j; i, j = i+1, j-1 {
		reversedPods[i], reversedPods[j] = reversedPods[j], reversedPods[i]
	}
	reversedNS := []*v1.Namespace{allNamespaces[3], allNamespaces[2], allNamespaces[1], allNamespaces[0]}
	for i := 0; i < 5; i++ {
		if again := compileRules("n1", reversedPods, reversedNS, []*netv1.NetworkPolicy{ps[1], ps[0]}); again != first {
			t.Fatalf("order changes the rules:\n%s\n---\n%s", first, again)
		}
	}
	// The chain names are iptables-legal and stable.
	for _, c := range ownedChains(first) {
		if len(c) > 28 {
			t.Fatalf("chain name %s is longer than 28", c)
		}
	}
	if podChain(ingress, web) != podChain(ingress, web) || podChain(ingress, web) == podChain(egress, web) || podChain(ingress, web) == podChain(ingress, client) {
		t.Fatal("chain names collide or change")
	}
}

func TestRejectsFastAndNeverAccepts(t *testing.T) {
	got := compileRules("n1", allPods, allNamespaces, []*netv1.NetworkPolicy{policy("default", "deny", nil, nil)})
	if strings.Contains(got, "ACCEPT") || strings.Contains(got, "DROP") {
		t.Fatalf("kubelab-net only returns or rejects:\n%s", got)
	}
	if !strings.Contains(got, "-p tcp -m comment --comment \"denied by network policy\" -j REJECT --reject-with tcp-reset") ||
		!strings.Contains(got, "-j REJECT --reject-with icmp-port-unreachable") {
		t.Fatalf("no fast rejects:\n%s", got)
	}
	if !strings.HasPrefix(strings.SplitN(got, "-A ", 2)[1], "KUBELAB-POLICY -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN") {
		t.Fatalf("replies are not let through first:\n%s", got)
	}
}

func TestIPv6IsLeftToIp6tables(t *testing.T) {
	got := compileRules("n1", allPods, allNamespaces, []*netv1.NetworkPolicy{policy("default", "web", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
		s.Ingress = []netv1.NetworkPolicyIngressRule{{From: from(netv1.NetworkPolicyPeer{IPBlock: &netv1.IPBlock{CIDR: "fd00::/8"}})}}
	})})
	if strings.Contains(got, "fd00") {
		t.Fatalf("IPv6 in an iptables payload:\n%s", got)
	}
	parseRules(t, got)
}

func TestSubtractPrefix(t *testing.T) {
	cases := []struct {
		cidr   string
		except []string
		want   string
	}{
		{"10.0.0.0/8", nil, "10.0.0.0/8"},
		{"10.0.0.0/8", []string{"10.1.0.0/16"}, "10.0.0.0/16 10.2.0.0/15 10.4.0.0/14 10.8.0.0/13 10.16.0.0/12 10.32.0.0/11 10.64.0.0/10 10.128.0.0/9"},
		{"10.0.0.0/30", []string{"10.0.0.1/32", "10.0.0.2/32"}, "10.0.0.0/32 10.0.0.3/32"},
		{"10.0.0.0/24", []string{"10.0.0.0/24"}, ""},
		{"10.0.0.0/24", []string{"192.168.0.0/16"}, "10.0.0.0/24"},
		{"10.0.0.7/24", nil, "10.0.0.0/24"},
	}
	for _, c := range cases {
		var got []string
		for _, p := range ipBlockPrefixes(&netv1.IPBlock{CIDR: c.cidr, Except: c.except}) {
			got = append(got, p.String())
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s except %v = %v, want %s", c.cidr, c.except, got, c.want)
		}
	}
}

func TestStaleChainsAreFlushedAndDeleted(t *testing.T) {
	rules := compileRules("n1", allPods, allNamespaces, []*netv1.NetworkPolicy{policy("default", "deny", map[string]string{"app": "web"}, nil)})
	keep := ownedChains(rules)[0]
	saved := "*filter\n:FORWARD ACCEPT [0:0]\n:KUBELAB-POLICY - [0:0]\n:" + keep + " - [0:0]\n:KUBELAB-EGRESS-000000000000 - [0:0]\n:KUBELAB-B-0123 - [0:0]\n:KUBE-FORWARD - [0:0]\nCOMMIT\n"
	got := withStaleChainsRemoved(rules, ownedChains(saved))
	if !strings.HasSuffix(got, ":KUBELAB-B-0123 - [0:0]\n:KUBELAB-EGRESS-000000000000 - [0:0]\n-X KUBELAB-B-0123\n-X KUBELAB-EGRESS-000000000000\nCOMMIT\n") {
		t.Fatalf("stale chains not removed:\n%s", got)
	}
	if strings.Contains(got, "-X "+keep) || strings.Contains(got, "KUBE-FORWARD") {
		t.Fatalf("removes a chain it should keep:\n%s", got)
	}
	if withStaleChainsRemoved(rules, []string{keep}) != rules {
		t.Fatal("nothing stale, yet the payload changed")
	}
}
