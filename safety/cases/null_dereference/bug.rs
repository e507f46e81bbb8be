// Bug: the result of a lookup that can find nothing is used as if it had found something. Safe Rust has
// no null: the lookup returns Option<&Node>, and using it as a &Node does not type-check. (Writing
// `.unwrap()` instead compiles and panics at run time: a choice made in the open.)
struct Node {
    id: u32,
    weight: u32,
}

fn find(nodes: &[Node], id: u32) -> Option<&Node> {
    nodes.iter().find(|n| n.id == id)
}

fn main() {
    let nodes = vec![Node { id: 1, weight: 10 }];
    let node: &Node = find(&nodes, 7); // E0308: expected `&Node`, found `Option<&Node>`
    println!("weight = {}", node.weight);
}
